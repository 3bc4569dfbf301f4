/** The paying target with plaintext gRPC between the services: the baseline for mutual TLS's cost. */
import { serveTarget } from '../target-child.js';
import { startPostgresNatsTarget } from './gateways.js';

await serveTarget(() => startPostgresNatsTarget({ priced: true, internalTls: false }));
