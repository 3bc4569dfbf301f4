/** The gateway as `npm start` runs it — in-memory PGlite, in-process bus — minus the data directory. */
import { serveTarget } from '../target-child.js';
import { startEmbeddedTarget } from './gateways.js';

await serveTarget(() => startEmbeddedTarget({ priced: false }));
