/**
 * Delivery side of the callback benchmark: dispatch's real callback worker on a fresh
 * PostgreSQL database holding BENCH_CALLBACKS pending status callbacks for the receiver at
 * BENCH_RECEIVER_URL (one per message, so per-message ordering never holds one back).
 */
import { migrateSchema, openDatabase, withSchema } from '@wagate/db';
import {
  DISPATCH_SCHEMA,
  type DispatchTables,
  dispatchMigrations,
  embeddedSecretKeys,
  queueCallbacks,
  startCallbackWorker,
  statusCallbackBody,
  webhookSecrets,
} from '@wagate/dispatch';
import { freshPostgresUrl } from '@wagate/testkit';
import { serveTarget } from '../target-child.js';
import { callbackCount, receiverUrl } from './callback-settings.js';

await serveTarget(async () => {
  const fresh = await freshPostgresUrl();
  const database = await openDatabase(fresh.url);
  await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
  const db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);
  const url = receiverUrl();
  const total = callbackCount();
  for (let start = 0; start < total; start += 500) {
    const batch = Array.from({ length: Math.min(500, total - start) }, (_, i) => {
      const messageId = String(1_000_000 + start + i);
      const body = statusCallbackBody({
        messageId,
        ts: Date.now(),
        status: 'SENT',
        errorCode: 0,
        options: null,
      });
      return { accountId: 'acc_bench', messageId, url, body };
    });
    await queueCallbacks(db, batch);
  }
  const worker = startCallbackWorker(db, {
    allowLoopback: true,
    pollMs: 100,
    secrets: webhookSecrets(db, embeddedSecretKeys(undefined)),
  });
  return {
    url,
    apiKey: '',
    async stop() {
      await worker.stop();
      await database.close();
      await fresh.drop();
    },
  };
});
