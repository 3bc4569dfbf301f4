/** The embedded gateway with a paying demo account: every request holds funds under a row lock. */
import { serveTarget } from '../target-child.js';
import { startEmbeddedTarget } from './gateways.js';

await serveTarget(() => startEmbeddedTarget({ priced: true }));
