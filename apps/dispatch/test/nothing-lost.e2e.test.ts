import { createServer, type IncomingHttpHeaders } from 'node:http';
import { migrateSchema, openDatabase, withSchema } from '@wagate/db';
import { freePort } from '@wagate/rpc';
import {
  freshPostgresUrl,
  isolatedBusNames,
  natsUrl,
  type ServiceProcess,
  startServiceProcess,
} from '@wagate/testkit';
import { expect, test } from 'vitest';
import { dispatchMigrations } from '../src/db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';
import { verifyWebhook } from '../src/webhooks/signature.js';
import { generateSecretKeys, parseSecretKeys } from '../src/webhooks/secret-keys.js';
import { webhookSecrets } from '../src/webhooks/webhook-secrets.js';

const MESSAGES = 60;
const STATUSES = ['SENT', 'DELIVERED', 'READ'] as const;

test('killing dispatch in the middle of a burst loses no callback and never changes a payload', {
  timeout: 180_000,
}, async () => {
  const database = await freshPostgresUrl();
  const db = await openDatabase(database.url);
  const processes: ServiceProcess[] = [];
  const received: { id: string; headers: IncomingHttpHeaders; body: string }[] = [];
  // Answers slowly enough that the burst is still going when dispatch is killed.
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        id: String(request.headers['webhook-id']),
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      setTimeout(() => response.writeHead(204).end(), 20);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/status`;
  try {
    await migrateSchema(db, DISPATCH_SCHEMA, dispatchMigrations);
    const tables = withSchema<DispatchTables>(db, DISPATCH_SCHEMA);
    const rows = [];
    for (const status of STATUSES) {
      for (let m = 0; m < MESSAGES; m++) {
        const messageId = String(500_000 + m);
        rows.push({
          account_id: 'acc_burst',
          message_id: messageId,
          url,
          body: `[{"messageId":${messageId},"status":"${status}"}]`,
          state: 'pending' as const,
          next_attempt_at: new Date(),
          lease_until: null,
          last_error: null,
          traceparent: '',
          delivered_at: null,
        });
      }
    }
    const queued = await tables
      .insertInto('callbacks')
      .values(rows)
      .returning(['id', 'message_id', 'body'])
      .execute();

    const bus = isolatedBusNames();
    const secretKeys = generateSecretKeys('e2e');
    const startDispatchProcess = async () => {
      const started = startServiceProcess('dispatch', {
        DATABASE_URL: database.url,
        NATS_URL: natsUrl(),
        NATS_STREAM: bus.streamName,
        NATS_SUBJECT_PREFIX: bus.subjectPrefix,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(await freePort()),
        FLEET_ADDRESS: `127.0.0.1:${await freePort()}`,
        WAGATE_ALLOW_LOOPBACK_WEBHOOKS: 'true',
        WAGATE_SECRET_KEYS: secretKeys,
      });
      processes.push(started);
      await started.waitForOutput(/dispatch listening/);
      return started;
    };

    const first = await startDispatchProcess();
    await expect.poll(() => received.length, { timeout: 60_000, interval: 5 }).toBeGreaterThanOrEqual(20);
    await first.stop('SIGKILL');
    const beforeKill = new Set(received.map((hit) => hit.id)).size;
    expect(beforeKill).toBeLessThan(queued.length);

    await startDispatchProcess();
    await expect
      .poll(() => new Set(received.map((hit) => hit.id)).size, { timeout: 120_000, interval: 200 })
      .toBe(queued.length);

    // Every callback arrived; a repeat (the kill may cut one after the receiver got it) has the
    // same id and the same body, so the receiver dedupes by webhook-id.
    const secret = await webhookSecrets(tables, parseSecretKeys(secretKeys)).current('acc_burst');
    const bodyById = new Map(queued.map((row) => [`cb_${row.id}`, row.body]));
    for (const hit of received) {
      expect(hit.body).toBe(bodyById.get(hit.id));
      expect(verifyWebhook(secret, hit.headers, hit.body)).toBe(true);
    }
    // In order per message, counting each callback's first arrival.
    const firstArrival = [...new Map(received.map((hit) => [hit.id, hit] as const)).keys()];
    const positions = new Map(firstArrival.map((id, index) => [id, index]));
    for (let m = 0; m < MESSAGES; m++) {
      const ids = queued
        .filter((row) => row.message_id === String(500_000 + m))
        .map((row) => positions.get(`cb_${row.id}`)!);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    await expect
      .poll(
        async () =>
          (await tables.selectFrom('callbacks').select('state').where('state', '!=', 'delivered').execute())
            .length,
      )
      .toBe(0);
  } finally {
    for (const started of processes) await started.stop();
    await new Promise<void>((resolve) => {
      receiver.closeAllConnections();
      receiver.close(() => resolve());
    });
    await db.close();
    await database.drop();
  }
});
