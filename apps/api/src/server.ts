import { serve } from '@hono/node-server';
import type { Bus } from '@wagate/bus';
import type { Database } from '@wagate/db';
import type { IdGenerator } from '@wagate/ids';
import { createApiApp } from './app.js';
import { billingKeyCache, invalidateOnAccessChanges } from './http/key-cache.js';
import { migrateApiSchema } from './api-schema.js';
import type { Peers } from './peers.js';
import type { OutboundUrlRules } from './validation/validate-message.js';

export { migrateApiSchema };

export interface ApiServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the api on `host:port` (port 0 picks a free one), once its schema is migrated. */
export async function startApiServer(options: {
  host: string;
  port: number;
  peers: Peers;
  ids: IdGenerator;
  database: Database;
  outboundUrls?: OutboundUrlRules;
  /** Where billing announces revoked keys and suspended accounts. */
  bus: Bus;
  /** The console's built files (WAGATE_CONSOLE_DIR); default apps/console/dist. */
  consoleDir?: string;
}): Promise<ApiServer> {
  await migrateApiSchema(options.database);
  const keys = billingKeyCache(options.peers);
  const invalidation = await invalidateOnAccessChanges(options.bus, keys);
  const app = createApiApp({ ...options, keys });
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, (info) => {
      const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
      resolve({
        url: `http://${host}:${info.port}`,
        close: async () => {
          await invalidation.close();
          await new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}
