import { randomUUID } from 'node:crypto';
import { type Database, openDatabase } from '@wagate/db';
import { sql } from 'kysely';
import { afterAll, describe, expect } from 'vitest';
import { type SendBody, SLOW, type TestGateway, test } from './support/gateway.js';

/**
 * `Idempotency-Key` on the send call, against the real gateway and PostgreSQL: a retry answers
 * the first response without sending twice; another body or a request still in flight is 409.
 */

let t: TestGateway;
let otherConnection: Database;
test.beforeAll(async ({ gateway }) => {
  t = gateway;
  // A second pool on the same database, like another replica, to hold locks and read state.
  otherConnection = await openDatabase(t.databaseUrl);
}, SLOW);
afterAll(async () => {
  await otherConnection?.close();
}, SLOW);

const batch = (to: string) => ({ messages: [{ from: 'MyCompany', to, text: `hello ${to}` }] });

async function messagesTo(to: string): Promise<string[]> {
  const response = await t.request(`/v1/messages?recipient=${to}&limit=100`);
  const body = (await response.json()) as { data: Array<{ messageId: string }> };
  return body.data.map((message) => message.messageId);
}

describe('a retried request', () => {
  test('gets the first response again, marked as replayed, and nothing is sent twice', async () => {
    const key = randomUUID();
    const first = await t.send(batch('79034567801'), { 'idempotency-key': key });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const firstBody = await first.text();

    const again = await t.send(batch('79034567801'), { 'idempotency-key': key });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(firstBody);

    const { result } = JSON.parse(firstBody) as SendBody;
    expect(await messagesTo('79034567801')).toEqual([(result[0] as { messageId: string }).messageId]);
  });

  test('a replay answers a batch with rejected messages exactly as the first time', async () => {
    const key = randomUUID();
    const body = {
      messages: [
        { from: 'MyCompany', to: '79034567802', text: 'hi' },
        { from: 'NotMine', to: '79034567802', text: 'hi' },
      ],
    };
    const first = await t.send(body, { 'idempotency-key': key });
    const again = await t.send(body, { 'idempotency-key': key });
    expect(await again.text()).toBe(await first.text());
    expect(await messagesTo('79034567802')).toHaveLength(1);
  });

  test('without a key, the same body is simply sent again', async () => {
    await t.send(batch('79034567803'));
    await t.send(batch('79034567803'));
    expect(await messagesTo('79034567803')).toHaveLength(2);
  });

  test('keys belong to an account: another account may use the same key', async () => {
    const key = randomUUID();
    const otherKey = await t.createKey(['send', 'read'], 'acc_idempotency_other');
    const mine = await t.send(batch('79034567804'), { 'idempotency-key': key });
    const theirs = await t.send(batch('79034567804'), {
      'idempotency-key': key,
      authorization: `Key ${otherKey}`,
    });
    expect(mine.status).toBe(200);
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
  });

  test('after 24 hours the key is forgotten and the request runs again', async () => {
    const key = randomUUID();
    const first = (await (await t.send(batch('79034567805'), { 'idempotency-key': key })).json()) as SendBody;
    await sql`update api.idempotency_keys set created_at = now() - interval '25 hours' where key = ${key}`.execute(
      otherConnection.db,
    );
    const later = await t.send(batch('79034567805'), { 'idempotency-key': key });
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    const second = (await later.json()) as SendBody;
    expect(second.result[0]).toMatchObject({ code: 'OK' });
    expect(second.result[0]).not.toEqual(first.result[0]);
    expect(await messagesTo('79034567805')).toHaveLength(2);
  });
});

describe('refusals', () => {
  test('the same key with a different body is 409 idempotency.conflict, and nothing is sent', async () => {
    const key = randomUUID();
    expect((await t.send(batch('79034567806'), { 'idempotency-key': key })).status).toBe(200);
    const other = await t.send(batch('79034567807'), { 'idempotency-key': key });
    expect(other.status).toBe(409);
    expect(await other.json()).toEqual({
      code: 'REJECTED',
      reasons: [{ key: 'idempotency.conflict', ref: 'Idempotency-Key' }],
      description: expect.stringMatching(/different body.*new key/),
    });
    expect(await messagesTo('79034567807')).toEqual([]);
  });

  test('a duplicate while the first request is still in flight is 409 idempotency.in.progress', async () => {
    const key = randomUUID();
    // Hold billing's reservations table so the first request stops, deterministically, after
    // it claimed its key and before it can finish.
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = otherConnection.db.transaction().execute(async (trx) => {
      await sql`lock table billing.reservations in exclusive mode`.execute(trx);
      locked();
      await released;
    });
    await isLocked;
    let first: Promise<Response> | undefined;
    try {
      first = t.send(batch('79034567808'), { 'idempotency-key': key });
      await expect
        .poll(
          async () =>
            (
              await sql<{ state: string }>`select state from api.idempotency_keys where key = ${key}`.execute(
                otherConnection.db,
              )
            ).rows[0]?.state,
          { timeout: 30_000, interval: 50 },
        )
        .toBe('in_progress');

      const duplicate = await t.send(batch('79034567808'), { 'idempotency-key': key });
      expect(duplicate.status).toBe(409);
      expect(duplicate.headers.get('retry-after')).toBe('1');
      expect(await duplicate.json()).toEqual({
        code: 'REJECTED',
        reasons: [{ key: 'idempotency.in.progress', ref: 'Idempotency-Key' }],
        description: expect.stringMatching(/still being handled/),
      });
    } finally {
      release();
      await holder;
    }
    const firstResponse = await first!;
    expect(firstResponse.status).toBe(200);
    const replay = await t.send(batch('79034567808'), { 'idempotency-key': key });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(await firstResponse.text());
    expect(await messagesTo('79034567808')).toHaveLength(1);
  });

  test('a key that is not 1–255 printable ASCII characters is 400 invalid at Idempotency-Key', async () => {
    for (const key of ['', 'x'.repeat(256)]) {
      const response = await t.send(batch('79034567809'), { 'idempotency-key': key });
      expect(response.status, JSON.stringify(key)).toBe(400);
      expect(await response.json()).toMatchObject({ reasons: [{ key: 'invalid', ref: 'Idempotency-Key' }] });
    }
    expect(await messagesTo('79034567809')).toEqual([]);
  });

  test('a request refused before anything was handled does not use up its key', async () => {
    const key = randomUUID();
    expect((await t.send({ messages: [] }, { 'idempotency-key': key })).status).toBe(400);
    const fixed = await t.send(batch('79034567810'), { 'idempotency-key': key });
    expect(fixed.status).toBe(200);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
  });
});
