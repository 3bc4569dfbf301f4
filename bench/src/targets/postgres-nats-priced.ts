/** The gateway on PostgreSQL and NATS with a paying demo account: every request holds funds under a row lock. */
import { serveTarget } from '../target-child.js';
import { startPostgresNatsTarget } from './gateways.js';

await serveTarget(() => startPostgresNatsTarget({ priced: true }));
