import { type Database, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  API_SCHEMA,
  createIdempotencyStore,
  type IdempotencyStore,
  type IdempotencyTables,
  migrateIdempotency,
  requestBodyHash,
  validIdempotencyKey,
} from '../src/idempotency/index.js';

// A fresh database per adapter: PGlite boots in seconds on a busy machine.
const SLOW = 60_000;
const HOUR = 60 * 60 * 1000;

const bodyA = requestBodyHash('{"messages":[{"from":"MyCompany","to":"79034567890","text":"a"}]}');
const bodyB = requestBodyHash('{"messages":[{"from":"MyCompany","to":"79034567890","text":"b"}]}');

describe('idempotency keys', () => {
  test.each([
    ['a UUID', '3f1c1f7e-8d0e-4a57-9a43-2f9ad1c1a0b5', true],
    ['one character', 'k', true],
    ['255 characters', 'k'.repeat(255), true],
    ['printable punctuation and spaces', 'order 42/retry:#1 ~', true],
    ['empty', '', false],
    ['256 characters', 'k'.repeat(256), false],
    ['a control character', 'key\n2', false],
    ['non-ASCII', 'ключ', false],
  ])('%s → %s', (_, key, valid) => {
    expect(validIdempotencyKey(key)).toBe(valid);
  });

  test('a body hash is the SHA-256 of the raw bytes, the same for a string and its UTF-8 bytes', () => {
    expect(requestBodyHash('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(requestBodyHash('{"text":"привет"}')).toBe(
      requestBodyHash(Buffer.from('{"text":"привет"}', 'utf8')),
    );
  });
});

describe.each(databaseAdapters())('idempotency store on $name', { timeout: SLOW }, (adapter) => {
  let database: Database;
  let store: IdempotencyStore;
  let keys = 0;
  /** Every test uses keys no other test touches, on one shared database. */
  const freshKey = () => `key-${++keys}-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    database = await adapter.open();
    await migrateIdempotency(database);
    // Migrating again (another replica starting) changes nothing.
    await migrateIdempotency(database);
    store = createIdempotencyStore(database);
  }, SLOW);

  afterAll(async () => {
    await database?.close();
  }, SLOW);

  async function insertAged(accountId: string, key: string, ageMs: number, bodyHash = bodyA): Promise<void> {
    await withSchema<IdempotencyTables>(database, API_SCHEMA)
      .insertInto('idempotency_keys')
      .values({
        account_id: accountId,
        key,
        body_hash: bodyHash,
        state: 'completed',
        status_code: 200,
        response_body: '{"result":[]}',
        created_at: new Date(Date.now() - ageMs),
        completed_at: new Date(Date.now() - ageMs),
      })
      .execute();
  }

  /** As if the lease was taken a minute ago by an api that then died. */
  const lapseLease = (accountId: string, key: string) =>
    withSchema<IdempotencyTables>(database, API_SCHEMA)
      .updateTable('idempotency_keys')
      .set({ locked_at: new Date(Date.now() - 60_000) })
      .where('account_id', '=', accountId)
      .where('key', '=', key)
      .execute();

  test('a completed request is replayed for a retry with the same key and body', async () => {
    const key = freshKey();
    expect(await store.begin('acc_1', key, bodyA)).toMatchObject({ kind: 'new' });
    await store.complete('acc_1', key, 200, '{"result":[{"code":"OK","messageId":"118626985453813760"}]}');
    const replay = {
      kind: 'replay',
      status: 200,
      body: '{"result":[{"code":"OK","messageId":"118626985453813760"}]}',
    };
    expect(await store.begin('acc_1', key, bodyA)).toEqual(replay);
    expect(await store.begin('acc_1', key, bodyA)).toEqual(replay);
  });

  test('the same key with a different body is a conflict, in progress or completed', async () => {
    const key = freshKey();
    await store.begin('acc_1', key, bodyA);
    expect(await store.begin('acc_1', key, bodyB)).toEqual({ kind: 'conflict' });
    await store.complete('acc_1', key, 200, '{}');
    expect(await store.begin('acc_1', key, bodyB)).toEqual({ kind: 'conflict' });
  });

  test('a retry while the first request is still being handled is told so', async () => {
    const key = freshKey();
    await store.begin('acc_1', key, bodyA);
    expect(await store.begin('acc_1', key, bodyA)).toEqual({ kind: 'in-progress' });
  });

  test('concurrent requests with one key: exactly one is new, the others in progress', async () => {
    const key = freshKey();
    const results = await Promise.all(Array.from({ length: 8 }, () => store.begin('acc_1', key, bodyA)));
    expect(results.filter((r) => r.kind === 'new')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'in-progress')).toHaveLength(7);
  });

  test('concurrent requests with one key on separate connection pools (replicas): exactly one is new', async (context) => {
    if (!adapter.openReplicas) return context.skip('PGlite has one session per database');
    const replicas = await adapter.openReplicas(3);
    try {
      await migrateIdempotency(replicas.handles[0]!);
      const stores = replicas.handles.map((handle) => createIdempotencyStore(handle));
      const key = freshKey();
      const results = await Promise.all(
        stores.flatMap((s) => [s.begin('acc_1', key, bodyA), s.begin('acc_1', key, bodyA)]),
      );
      expect(results.filter((r) => r.kind === 'new')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'in-progress')).toHaveLength(5);
    } finally {
      await replicas.close();
    }
  });

  test('an abandoned key can be used again, even with another body', async () => {
    const key = freshKey();
    const first = await store.begin('acc_1', key, bodyA);
    await store.abandon('acc_1', key, (first as { lock: string }).lock);
    expect(await store.begin('acc_1', key, bodyB)).toMatchObject({ kind: 'new' });
  });

  test('abandoning a completed key changes nothing: it still replays', async () => {
    const key = freshKey();
    const first = await store.begin('acc_1', key, bodyA);
    await store.complete('acc_1', key, 201, 'done');
    await store.abandon('acc_1', key, (first as { lock: string }).lock);
    expect(await store.begin('acc_1', key, bodyA)).toEqual({ kind: 'replay', status: 201, body: 'done' });
  });

  test('keys belong to one account: the same key of another account is unrelated', async () => {
    const key = freshKey();
    await store.begin('acc_1', key, bodyA);
    await store.complete('acc_1', key, 200, 'first');
    expect(await store.begin('acc_2', key, bodyB)).toMatchObject({ kind: 'new' });
  });

  test('an entry older than 24 hours is treated as absent, whatever body it had', async () => {
    const key = freshKey();
    await insertAged('acc_1', key, 25 * HOUR, bodyB);
    expect(await store.begin('acc_1', key, bodyA)).toMatchObject({ kind: 'new' });
    expect(await store.begin('acc_1', key, bodyA)).toEqual({ kind: 'in-progress' });
    await store.complete('acc_1', key, 202, 'again');
    expect(await store.begin('acc_1', key, bodyA)).toEqual({ kind: 'replay', status: 202, body: 'again' });
  });

  test('an entry younger than 24 hours still replays', async () => {
    const key = freshKey();
    await insertAged('acc_1', key, 23 * HOUR);
    expect(await store.begin('acc_1', key, bodyA)).toEqual({
      kind: 'replay',
      status: 200,
      body: '{"result":[]}',
    });
  });

  test('concurrent requests reusing an expired key: exactly one is new', async () => {
    const key = freshKey();
    await insertAged('acc_1', key, 30 * HOUR);
    const results = await Promise.all(Array.from({ length: 6 }, () => store.begin('acc_1', key, bodyA)));
    expect(results.filter((r) => r.kind === 'new')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'in-progress')).toHaveLength(5);
  });

  test('purgeExpired deletes entries older than 24 hours and keeps the rest', async () => {
    await store.purgeExpired();
    const [old1, old2, young] = [freshKey(), freshKey(), freshKey()];
    await insertAged('acc_purge', old1, 25 * HOUR);
    await insertAged('acc_purge', old2, 48 * HOUR);
    await insertAged('acc_purge', young, 1 * HOUR);
    expect(await store.purgeExpired()).toBe(2);
    const left = await withSchema<IdempotencyTables>(database, API_SCHEMA)
      .selectFrom('idempotency_keys')
      .select('key')
      .where('account_id', '=', 'acc_purge')
      .execute();
    expect(left.map((row) => row.key)).toEqual([young]);
  });

  test('a request whose lease lapsed (its api died) is taken over by a retry, which resumes from its recovery point', async () => {
    const key = freshKey();
    const first = (await store.begin('acc_1', key, bodyA)) as { kind: 'new'; lock: string };
    const plan = { acceptedAtMs: '1795508477545', messageIds: ['118626985453813760', null] };
    expect(await store.saveRecoveryPoint('acc_1', key, first.lock, plan)).toBe(true);
    // Within the lease: in progress. Another body is still a conflict.
    expect(await store.begin('acc_1', key, bodyA)).toEqual({ kind: 'in-progress' });
    expect(await store.begin('acc_1', key, bodyB)).toEqual({ kind: 'conflict' });

    await lapseLease('acc_1', key);
    const retry = await store.begin('acc_1', key, bodyA);
    expect(retry).toMatchObject({ kind: 'resume', recoveryPoint: plan });
    // Exactly one retry takes it over; the dead request cannot save over the new holder.
    expect(await store.begin('acc_1', key, bodyA)).toEqual({ kind: 'in-progress' });
    expect(await store.saveRecoveryPoint('acc_1', key, first.lock, { other: true })).toBe(false);
    // Nor free the key under it.
    await store.abandon('acc_1', key, first.lock);
    expect(await store.begin('acc_1', key, bodyA)).toEqual({ kind: 'in-progress' });

    await store.complete('acc_1', key, 200, 'resumed');
    expect(await store.begin('acc_1', key, bodyA)).toEqual({ kind: 'replay', status: 200, body: 'resumed' });
  });

  test('a request that gave up its lease (it may have sent) is resumed by the next retry at once', async () => {
    const key = freshKey();
    const first = (await store.begin('acc_1', key, bodyA)) as { kind: 'new'; lock: string };
    await store.unlock('acc_1', key, first.lock);
    expect(await store.begin('acc_1', key, bodyA)).toMatchObject({ kind: 'resume', recoveryPoint: null });
  });

  test('an in-progress key from before leases existed is never resumed: it waits for expiry', async () => {
    const key = freshKey();
    await store.begin('acc_1', key, bodyA);
    await withSchema<IdempotencyTables>(database, API_SCHEMA)
      .updateTable('idempotency_keys')
      .set({ resumable: false, locked_at: null, locked_by: null })
      .where('key', '=', key)
      .execute();
    expect(await store.begin('acc_1', key, bodyA)).toEqual({ kind: 'in-progress' });
  });

  test('begin refuses a key that validIdempotencyKey rejects', async () => {
    await expect(store.begin('acc_1', '', bodyA)).rejects.toThrow(RangeError);
    await expect(store.begin('acc_1', 'x'.repeat(256), bodyA)).rejects.toThrow(RangeError);
  });
});
