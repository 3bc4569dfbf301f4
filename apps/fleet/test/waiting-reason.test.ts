import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type ConnectedDevice, DeviceSessions } from '../src/agents/device-sessions.js';
import { fleetMigrations } from '../src/db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { type JobScheduler, startJobScheduler } from '../src/job-scheduler.js';
import type { PacingOptions } from '../src/pacing.js';
import { waitingReason } from '../src/waiting-reason.js';
import { jobRow } from './support/job-rows.js';

/** 09:00 UTC: far from midnight. */
const T0 = Date.UTC(2026, 11, 2, 9);
const DAY_MS = 86_400_000;

describe.each(databaseAdapters())('why a queued message waits, on $name', (adapter) => {
  let database: Database;
  let db: Kysely<FleetTables>;
  let sessions: DeviceSessions;
  let scheduler: JobScheduler | undefined;
  let now: number;
  let seq: number;

  beforeEach(async () => {
    database = await adapter.open();
    await migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
    db = withSchema<FleetTables>(database, FLEET_SCHEMA);
    sessions = new DeviceSessions();
    now = T0;
    seq = 0;
    await db.insertInto('senders').values({ id: 'snd_1', account_id: 'acc_1', name: 'Pool' }).execute();
    await db
      .insertInto('devices')
      .values({
        id: 'dev_1',
        device_key: 'key_dev_1',
        agent_id: 'agent_1',
        account_id: 'acc_1',
        phone_number: '79990000001',
        sender_id: 'snd_1',
        driver: 'sim',
        android_version: '14',
        whatsapp_version: '2.24',
        last_seen_at: new Date(),
      })
      .execute();
  });
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
    await database.close();
  });

  function connect(credits = 5): ConnectedDevice {
    const device: ConnectedDevice = { deviceId: 'dev_1', senderId: 'snd_1', credits, offer: () => {} };
    sessions.attach(device);
    return device;
  }

  async function run(pacing: Partial<PacingOptions>): Promise<JobScheduler> {
    scheduler = startJobScheduler(db, sessions, {
      pacing: { ...pacing, now: () => now },
      wakeAt: () => {},
      lookaheadMs: 0,
      offerAt: (_atMs, offer) => offer(),
    });
    await scheduler.flush();
    return scheduler;
  }

  async function queue(recipient: string): Promise<string> {
    seq++;
    await db.insertInto('jobs').values(jobRow(seq, recipient)).execute();
    return String(seq);
  }

  const why = (messageId: string, accountId = 'acc_1') =>
    waitingReason(db, sessions, scheduler!.pacer, accountId, messageId);

  test('no device of the pool connected, then one quarantined: no-device', async () => {
    const id = await queue('79160000001');
    await run({});
    expect(await why(id)).toMatchObject({ rule: 'no-device', reason: expect.stringContaining('1 in all') });
    const device = connect();
    device.accepting = false;
    expect((await why(id))?.rule).toBe('no-device');
  });

  test('the gap after the last offer: pacing, with when it ends', async () => {
    connect();
    const id = await queue('79160000001');
    await run({ newContactGapMs: 5_000, warmup: [] });
    expect(await why(id)).toEqual({
      rule: 'pacing',
      reason: 'the number waits 5 s between messages to new contacts',
      untilMs: T0 + 5_000,
    });
  });

  test('today’s new contacts used up during warm-up: warm-up, until the next UTC day', async () => {
    connect();
    const first = await queue('79160000001');
    const second = await queue('79160000002');
    const s = await run({
      newContactGapMs: 1_000,
      knownContactGapMs: 1_000,
      warmup: [1],
      dailyNewContacts: 5,
    });
    now = T0 + 1_000;
    s.kick();
    await s.flush();
    expect(await why(first)).toMatchObject({ rule: 'sending' });
    now = T0 + 2_000;
    expect(await why(second)).toEqual({
      rule: 'warm-up',
      reason:
        "the number is on day 1 of its warm-up: today's allowance of new contacts (1, UTC day) is used up",
      untilMs: (Math.floor(T0 / DAY_MS) + 1) * DAY_MS,
    });
  });

  test('an earlier message to the same recipient goes first; another account’s message is not explained', async () => {
    connect();
    const first = await queue('79160000001');
    const second = await queue('79160000001');
    await run({ newContactGapMs: 5_000 });
    expect(await why(second)).toMatchObject({
      rule: 'conversation-order',
      reason: expect.stringContaining(`(${first})`),
    });
    expect(await why(second, 'acc_other')).toBeUndefined();
  });
});
