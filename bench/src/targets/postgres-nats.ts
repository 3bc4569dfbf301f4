/** The gateway on a real PostgreSQL and NATS JetStream. */
import { serveTarget } from '../target-child.js';
import { startPostgresNatsTarget } from './gateways.js';

await serveTarget(() => startPostgresNatsTarget({ priced: false }));
