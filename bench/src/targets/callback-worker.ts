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
  startCallbackWorker,
  statusCallbackBody,
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
    const rows = Array.from({ length: Math.min(500, total - start) }, (_, i) => {
      const messageId = String(1_000_000 + start + i);
      return {
        account_id: 'acc_bench',
        message_id: messageId,
        url,
        body: statusCallbackBody({ messageId, ts: Date.now(), status: 'SENT', errorCode: 0, options: null }),
        state: 'pending' as const,
        next_attempt_at: new Date(),
        lease_until: null,
        last_error: null,
        traceparent: '',
        delivered_at: null,
      };
    });
    await db.insertInto('callbacks').values(rows).execute();
  }
  const worker = startCallbackWorker(db, { allowLoopback: true, pollMs: 100 });
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
