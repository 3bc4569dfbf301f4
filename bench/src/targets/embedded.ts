/** The gateway as `npm start` runs it — in-memory PGlite, in-process bus — minus the data directory. */
import { startEmbeddedGateway } from '@wagate/gateway';
import { serveTarget } from '../target-child.js';
import { simDevices } from './sim-devices.js';

await serveTarget(() => startEmbeddedGateway({ port: 0, simDevices: simDevices() }));
