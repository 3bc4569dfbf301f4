import { type Database, encodeCursor, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DeviceSessions } from '../src/agents/device-sessions.js';
import { fleetMigrations } from '../src/db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { listSenders } from '../src/list-senders.js';

const name = (i: number) => `sender-${String(i).padStart(2, '0')}`;

describe.each(databaseAdapters())('ListSenders on $name', (adapter) => {
  let database: Database;
  let db: Kysely<FleetTables>;
  const sessions = new DeviceSessions();

  beforeAll(async () => {
    database = await adapter.open();
    await migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
    db = withSchema<FleetTables>(database, FLEET_SCHEMA);
    // 23 senders of acc_a created out of name order; acc_b reuses some of the same names.
    const order = Array.from({ length: 23 }, (_, i) => (i * 7) % 23);
    await db
      .insertInto('senders')
      .values([
        ...order.map((i) => ({ id: `snd_a${i}`, account_id: 'acc_a', name: name(i) })),
        ...[1, 2, 3].map((i) => ({ id: `snd_b${i}`, account_id: 'acc_b', name: name(i) })),
      ])
      .execute();
    // sender-i of acc_a has i % 4 devices; the first device of every third sender is connected.
    const devices = order.flatMap((i) =>
      Array.from({ length: i % 4 }, (_, d) => ({
        id: `dev_a${i}_${d}`,
        device_key: `key_a${i}_${d}`,
        agent_id: 'agent_1',
        phone_number: `7900${String(i).padStart(2, '0')}0000${d}`,
        sender_id: `snd_a${i}`,
        driver: 'sim',
        android_version: '14',
        whatsapp_version: '2.24',
        last_seen_at: new Date(),
      })),
    );
    await db.insertInto('devices').values(devices).execute();
    for (const device of devices) {
      if (device.id.endsWith('_0') && Number(device.sender_id.slice('snd_a'.length)) % 3 === 0) {
        sessions.attach({ deviceId: device.id, senderId: device.sender_id, credits: 0, offer: () => {} });
      }
    }
  });

  afterAll(async () => {
    await database?.close();
  });

  async function listAll(accountId: string, limit: number) {
    const senders = [];
    let cursor = '';
    for (let pages = 0; pages < 100; pages++) {
      const page = await listSenders(db, sessions, { accountId, limit, cursor });
      expect(page.senders.length).toBeLessThanOrEqual(limit);
      senders.push(...page.senders);
      if (page.nextCursor === '') return senders;
      expect(page.senders).toHaveLength(limit);
      cursor = page.nextCursor;
    }
    throw new Error('pagination did not end');
  }

  test.each([1, 4, 23, 100])(
    'pages through every sender of the account once, by name (limit %i)',
    async (limit) => {
      const senders = await listAll('acc_a', limit);
      expect(senders.map((s) => s.name)).toEqual(Array.from({ length: 23 }, (_, i) => name(i)));
    },
  );

  test('each sender shows its numbers, its device count and how many are connected now', async () => {
    const senders = new Map((await listAll('acc_a', 100)).map((s) => [s.name, s]));
    expect(senders.get(name(0))).toMatchObject({
      senderId: 'snd_a0',
      numbers: [],
      devices: 0,
      devicesConnected: 0,
    });
    expect(senders.get(name(3))).toMatchObject({
      senderId: 'snd_a3',
      numbers: ['79000300000', '79000300001', '79000300002'],
      devices: 3,
      devicesConnected: 1,
    });
    expect(senders.get(name(5))).toMatchObject({ devices: 1, devicesConnected: 0 });
    expect(Number(senders.get(name(5))!.createdAtMs)).toBeGreaterThan(0);
  });

  test("each sender shows its queue depth: its jobs waiting for a device, not those offered or done", async () => {
    const job = (n: number, senderId: string, state: 'queued' | 'offered' | 'done') => ({
      message_id: String(900 + n),
      job_id: `job_q${n}`,
      account_id: 'acc_a',
      sender_id: senderId,
      recipient: '79030000000',
      device_id: state === 'queued' ? null : 'dev_a3_0',
      state,
      payload: '{}',
      traceparent: '',
      updated_at: new Date(),
    });
    await db
      .insertInto('jobs')
      .values([
        job(1, 'snd_a3', 'queued'),
        job(2, 'snd_a3', 'queued'),
        job(3, 'snd_a3', 'offered'),
        job(4, 'snd_a3', 'done'),
        job(5, 'snd_a7', 'queued'),
        job(6, 'snd_b3', 'queued'),
      ])
      .execute();
    try {
      const senders = new Map((await listAll('acc_a', 100)).map((s) => [s.name, s.queuedJobs]));
      expect([senders.get(name(3)), senders.get(name(7)), senders.get(name(5))]).toEqual([2, 1, 0]);
      expect((await listAll('acc_b', 10)).map((s) => s.queuedJobs)).toEqual([0, 0, 1]);
    } finally {
      await db.deleteFrom('jobs').where('job_id', 'like', 'job_q%').execute();
    }
  });

  test('a device whose agent disconnects no longer counts as connected', async () => {
    const device = sessions.get('dev_a6_0')!;
    sessions.detach(device);
    try {
      const [sender] = (await listAll('acc_a', 100)).filter((s) => s.name === name(6));
      expect(sender).toMatchObject({ devices: 2, devicesConnected: 0 });
    } finally {
      sessions.attach(device);
    }
  });

  test("an account sees only its own senders, even where names are the same as another's", async () => {
    const ofB = await listAll('acc_b', 2);
    expect(ofB.map((s) => [s.senderId, s.name, s.devices])).toEqual([
      ['snd_b1', name(1), 0],
      ['snd_b2', name(2), 0],
      ['snd_b3', name(3), 0],
    ]);
    expect(await listAll('acc_nobody', 10)).toEqual([]);
  });

  test('limit 0 means 50, and limits outside 1..100 are clamped', async () => {
    const size = async (limit: number) =>
      (await listSenders(db, sessions, { accountId: 'acc_a', limit, cursor: '' })).senders.length;
    expect(await size(0)).toBe(23);
    expect(await size(-1)).toBe(1);
    expect(await size(1_000)).toBe(23);
  });

  test.each([
    ['not base64url', '***'],
    ['not JSON', Buffer.from('sender-01').toString('base64url')],
    ['an empty key', encodeCursor([''])],
    ['two keys', encodeCursor(['a', 'b'])],
    ['a NUL character', encodeCursor(['a\u0000'])],
  ])('a malformed cursor (%s) is INVALID_ARGUMENT', async (_, cursor) => {
    await expect(listSenders(db, sessions, { accountId: 'acc_a', limit: 10, cursor })).rejects.toMatchObject({
      key: ErrorKey.Invalid,
      message: expect.stringContaining('next_cursor'),
    });
  });
});
