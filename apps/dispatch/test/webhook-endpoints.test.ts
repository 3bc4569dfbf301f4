import { Topics, type WebhookEndpointDisabledEvent } from '@wagate/contracts';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { type CallbackReceiver, databaseAdapters, startCallbackReceiver } from '@wagate/testkit';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, test } from 'vitest';
import { dispatchMigrations } from '../src/db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';
import { startCallbackWorker } from '../src/webhooks/callback-worker.js';
import { embeddedSecretKeys } from '../src/webhooks/secret-keys.js';
import { webhookSecrets } from '../src/webhooks/webhook-secrets.js';
import { pendingCallbackRow } from './support/message-rows.js';

const DAY = 24 * 3_600_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(databaseAdapters())('webhook endpoint disabling on $name', (adapter) => {
  async function setup() {
    const database: Database = await adapter.open();
    cleanups.push(() => database.close());
    await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
    const db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);
    // The endpoint's health runs on this clock, so "3 days of failures" takes no time.
    let clock = Date.parse('2026-03-01T09:00:00Z');
    const worker = startCallbackWorker(db, {
      pollMs: 50,
      allowLoopback: true,
      now: () => new Date(clock),
      secrets: webhookSecrets(db, embeddedSecretKeys(undefined)),
    });
    cleanups.push(() => worker.stop());
    return {
      db,
      worker,
      advanceDays: (days: number) => {
        clock += days * DAY;
      },
    };
  }

  let answer = { status: 503, headers: { 'retry-after': '3600' } as Record<string, string> };
  async function receiver(): Promise<CallbackReceiver> {
    const started = await startCallbackReceiver(() => answer);
    cleanups.push(started.close);
    return started;
  }

  let nextMessageId = 5000;
  async function queue(db: Kysely<DispatchTables>, accountId: string, url: string) {
    const messageId = String(nextMessageId++);
    const { id } = await db
      .insertInto('callbacks')
      .values(pendingCallbackRow({ accountId, messageId, url, status: 'SENT' }))
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }
  const callback = (db: Kysely<DispatchTables>, id: string) =>
    db
      .selectFrom('callbacks')
      .select(['state', 'attempts', 'last_error'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const endpointOf = (db: Kysely<DispatchTables>, accountId: string) =>
    db.selectFrom('webhook_endpoints').selectAll().where('account_id', '=', accountId).executeTakeFirst();

  test('an endpoint failing for 3 days is disabled: its callbacks are kept as failed, unattempted, and the event is queued', async () => {
    const { db, advanceDays } = await setup();
    const target = await receiver();
    answer = { status: 503, headers: { 'retry-after': '3600' } };
    const first = await queue(db, 'acc_dead', `${target.url}/status`);
    await expect.poll(async () => (await endpointOf(db, 'acc_dead'))?.consecutive_failures).toBe(1);
    expect((await endpointOf(db, 'acc_dead'))?.disabled_at).toBeNull();

    advanceDays(3);
    const second = await queue(db, 'acc_dead', `${target.url}/other-path`);
    await expect.poll(async () => (await endpointOf(db, 'acc_dead'))?.disabled_at).not.toBeNull();
    const endpoint = (await endpointOf(db, 'acc_dead'))!;
    expect(endpoint).toMatchObject({ origin: target.url, consecutive_failures: 2, last_error: 'HTTP 503' });
    // The first one was waiting for its next retry: it is settled too, not left to be POSTed.
    for (const id of [first, second]) {
      expect(await callback(db, id)).toMatchObject({
        state: 'failed',
        last_error: expect.stringContaining(
          `endpoint disabled: no successful delivery since 2026-03-01T09:00:00.000Z`,
        ),
      });
    }
    const [event] = await db
      .selectFrom('outbox')
      .selectAll()
      .where('topic', '=', Topics.webhookEndpointDisabled)
      .execute();
    expect(event?.key).toBe('acc_dead');
    expect(event?.data).toEqual({
      accountId: 'acc_dead',
      endpointId: `ep_${endpoint.id}`,
      origin: target.url,
      failingSinceMs: Date.parse('2026-03-01T09:00:00Z'),
      disabledAtMs: Date.parse('2026-03-04T09:00:00Z'),
      consecutiveFailures: 2,
      lastError: 'HTTP 503',
    } satisfies WebhookEndpointDisabledEvent);

    // The receiver is back, but the endpoint stays disabled until the tenant enables it.
    answer = { status: 204, headers: {} };
    const hitsBefore = target.received.length;
    const held = await queue(db, 'acc_dead', `${target.url}/status`);
    const otherTenant = await queue(db, 'acc_alive', `${target.url}/status`);
    await expect.poll(async () => (await callback(db, otherTenant)).state).toBe('delivered');
    await expect.poll(async () => (await callback(db, held)).state).toBe('failed');
    expect(await callback(db, held)).toMatchObject({
      attempts: 0,
      last_error: expect.stringContaining('/enable'),
    });
    expect(target.received.length).toBe(hitsBefore + 1);
  });

  test('a successful delivery ends the failing streak, so failures days apart do not disable', async () => {
    const { db, advanceDays } = await setup();
    const target = await receiver();
    answer = { status: 500, headers: { 'retry-after': '3600' } };
    await queue(db, 'acc_flaky', `${target.url}/s`);
    await expect.poll(async () => (await endpointOf(db, 'acc_flaky'))?.consecutive_failures).toBe(1);

    advanceDays(2);
    answer = { status: 204, headers: {} };
    const delivered = await queue(db, 'acc_flaky', `${target.url}/s`);
    await expect.poll(async () => (await callback(db, delivered)).state).toBe('delivered');
    expect(await endpointOf(db, 'acc_flaky')).toMatchObject({ failing_since: null, consecutive_failures: 0 });

    advanceDays(2);
    answer = { status: 500, headers: { 'retry-after': '3600' } };
    await queue(db, 'acc_flaky', `${target.url}/s`);
    await expect.poll(async () => (await endpointOf(db, 'acc_flaky'))?.consecutive_failures).toBe(1);
    expect((await endpointOf(db, 'acc_flaky'))?.disabled_at).toBeNull();
  });
});
