/**
 * The paying target with simulated phones that send the moment a job reaches them: the runner
 * measures from acceptance to the device, each message to a recipient of its own.
 */
import { serveTarget } from '../target-child.js';
import { startPostgresNatsTarget } from './gateways.js';

await serveTarget(() => startPostgresNatsTarget({ priced: true, instantDevices: 8 }));
