import type { fleet } from '@wagate/contracts';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import type { Pump } from '@wagate/outbox';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type ConnectedDevice, DeviceSessions } from '../src/agents/device-sessions.js';
import { fleetMigrations } from '../src/db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { startJobScheduler } from '../src/job-scheduler.js';
import type { PacingOptions } from '../src/pacing.js';
import { jobRow } from './support/job-rows.js';

const DAY_MS = 86_400_000;
/** 09:00 UTC on some day: far from midnight, so gaps never cross a day by accident. */
const T0 = Date.UTC(2026, 11, 2, 9);

describe.each(databaseAdapters())('job scheduler pacing on $name', (adapter) => {
  let database: Database;
  let db: Kysely<FleetTables>;
  let now: number;
  let wakes: Array<{ atMs: number; fire: () => void }>;
  let offers: Array<{ jobId: string; deviceId: string; atMs: number }>;
  let schedulers: Pump[];
  let seq: number;
  /** When the scheduler asked for the offer being handed over to reach its device. */
  let handedOverAt: number | undefined;
  let handovers: Array<{ atMs: number; preparedAtMs: number }>;

  beforeEach(async () => {
    database = await adapter.open();
    await migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
    db = withSchema<FleetTables>(database, FLEET_SCHEMA);
    now = T0;
    wakes = [];
    offers = [];
    schedulers = [];
    seq = 0;
    handovers = [];
  });
  afterEach(async () => {
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    await database.close();
  });

  function device(deviceId: string, credits = 10): ConnectedDevice {
    return {
      deviceId,
      senderId: 'snd_1',
      credits,
      offer: (offer: fleet.JobOffer) =>
        offers.push({ jobId: offer.jobId, deviceId, atMs: handedOverAt ?? now }),
    };
  }

  function start(devices: ConnectedDevice[], pacing: Partial<PacingOptions>, lookaheadMs = 0) {
    const sessions = new DeviceSessions();
    for (const d of devices) sessions.attach(d);
    const scheduler = startJobScheduler(db, sessions, {
      pacing: { ...pacing, now: () => now },
      wakeAt: (atMs, fire) => wakes.push({ atMs, fire }),
      lookaheadMs,
      offerAt: (atMs, offer) => {
        handovers.push({ atMs, preparedAtMs: now });
        handedOverAt = atMs;
        offer();
        handedOverAt = undefined;
      },
    });
    schedulers.push(scheduler);
    return scheduler;
  }

  async function queue(...recipients: string[]): Promise<void> {
    await db
      .insertInto('jobs')
      .values(recipients.map((recipient) => jobRow(++seq, recipient)))
      .execute();
  }

  /** The time the scheduler last asked to be woken at. */
  const nextWake = () => wakes.at(-1)?.atMs;

  /** Moves the clock to the last wake-up asked for and lets it fire: what its timer would do. */
  async function wake(scheduler: Pump): Promise<void> {
    const due = wakes.at(-1);
    if (!due) throw new Error('the scheduler asked for no wake-up');
    now = due.atMs;
    due.fire();
    await scheduler.flush();
  }

  const offered = () => offers.map((o) => `${o.jobId}@${o.deviceId}+${o.atMs - T0}`);

  test('offers nothing before a device’s gap has passed, and wakes exactly when it has', async () => {
    const pacing = { newContactGapMs: 5_000, knownContactGapMs: 2_000, warmup: [] };
    await queue('79160000001', '79160000001', '79160000002');
    const scheduler = start([device('dev_1')], pacing);
    await scheduler.flush();
    // A new session starts as if a job had just gone out: even the first one waits a gap.
    expect(offered()).toEqual([]);
    expect(nextWake()).toBe(T0 + 2_000);

    await wake(scheduler);
    expect(offered()).toEqual([]);
    expect(nextWake()).toBe(T0 + 5_000);

    now = T0 + 4_999;
    await scheduler.flush();
    expect(offered()).toEqual([]);

    await wake(scheduler);
    // The second job is to a contact the first made known: the shorter gap applies to it.
    expect(offered()).toEqual(['job_1@dev_1+5000']);
    expect(nextWake()).toBe(T0 + 7_000);
    await wake(scheduler);
    expect(offered()).toEqual(['job_1@dev_1+5000', 'job_2@dev_1+7000']);
    expect(nextWake()).toBe(T0 + 12_000);
    await wake(scheduler);
    expect(offered()).toEqual(['job_1@dev_1+5000', 'job_2@dev_1+7000', 'job_3@dev_1+12000']);
  });

  test('spreads new contacts over the pool’s free devices and keeps each conversation on its device', async () => {
    const pacing = { newContactGapMs: 5_000, knownContactGapMs: 1_000, warmup: [] };
    await queue('79160000001', '79160000002', '79160000003', '79160000001');
    const scheduler = start([device('dev_a'), device('dev_b')], pacing);
    now = T0 + 5_000;
    await scheduler.flush();
    // Both devices busy with a new contact: the third waits, the fourth follows the first.
    expect(offered()).toEqual(['job_1@dev_a+5000', 'job_2@dev_b+5000']);
    expect(nextWake()).toBe(T0 + 6_000);
    await wake(scheduler);
    expect(offered().slice(2)).toEqual(['job_4@dev_a+6000']);
    // dev_b has been free for a new contact since +10000, dev_a only from +11000.
    expect(nextWake()).toBe(T0 + 10_000);
    await wake(scheduler);
    expect(offered().slice(3)).toEqual(['job_3@dev_b+10000']);
    const states = await db.selectFrom('jobs').select(['job_id', 'state']).orderBy('seq').execute();
    expect(states.every((job) => job.state === 'offered')).toBe(true);
  });

  test('prepares an offer a little ahead and hands it over exactly when the gap ends', async () => {
    const pacing = { newContactGapMs: 5_000, knownContactGapMs: 5_000, warmup: [] };
    await queue('79160000001', '79160000002');
    const scheduler = start([device('dev_1')], pacing, 100);
    await scheduler.flush();
    // It wakes 100 ms before the device is free, to have the offer ready by then.
    expect(nextWake()).toBe(T0 + 4_900);
    await wake(scheduler);
    expect(handovers).toEqual([{ atMs: T0 + 5_000, preparedAtMs: T0 + 4_900 }]);
    expect(nextWake()).toBe(T0 + 9_900);
    await wake(scheduler);
    // The gap runs from the handover, not from when the pass prepared it.
    expect(handovers.at(-1)).toEqual({ atMs: T0 + 10_000, preparedAtMs: T0 + 9_900 });
    expect(offered()).toEqual(['job_1@dev_1+5000', 'job_2@dev_1+10000']);
  });

  test('prepares nothing across a UTC midnight: a new day’s contacts are offered on that day', async () => {
    const midnight = Math.floor(T0 / DAY_MS + 1) * DAY_MS;
    now = midnight - 10_000;
    const pacing = { newContactGapMs: 0, knownContactGapMs: 0, dailyNewContacts: 1, warmup: [] };
    await queue('79160000001', '79160000002');
    const scheduler = start([device('dev_1')], pacing, 1_000);
    await scheduler.flush();
    expect(offered()).toEqual([`job_1@dev_1+${midnight - 10_000 - T0}`]);
    expect(nextWake()).toBe(midnight);
    await wake(scheduler);
    expect(handovers.at(-1)).toEqual({ atMs: midnight, preparedAtMs: midnight });
    const pace = await db.selectFrom('device_pacing').selectAll().executeTakeFirstOrThrow();
    expect(pace).toMatchObject({ day: midnight / DAY_MS, new_contacts: 1 });
  });

  test('caps new contacts per day through the warm-up, known contacts go on, and the count survives a restart', async () => {
    const pacing = { newContactGapMs: 0, knownContactGapMs: 0, dailyNewContacts: 3, warmup: [2, 5] };
    await db
      .insertInto('contacts')
      .values({ sender_id: 'snd_1', recipient: '79160000009', device_id: 'dev_1' })
      .execute();
    await queue('79160000001', '79160000002', '79160000003', '79160000004', '79160000009');
    const first = start([device('dev_1')], pacing);
    await first.flush();
    // Day 1 of the number allows 2 new contacts; the known one is not counted.
    expect(offered()).toEqual(['job_1@dev_1+0', 'job_2@dev_1+0', 'job_5@dev_1+0']);
    const tomorrow = Math.floor(T0 / DAY_MS + 1) * DAY_MS;
    expect(nextWake()).toBe(tomorrow);
    await first.stop();

    // Fleet restarts the same day: the device's count comes back from the database.
    now = T0 + 3_600_000;
    const second = start([device('dev_1')], pacing);
    await second.flush();
    expect(offered()).toHaveLength(3);
    const jobs = await db.selectFrom('jobs').select(['job_id', 'state']).orderBy('seq').execute();
    expect(jobs.map((job) => job.state)).toEqual(['offered', 'offered', 'queued', 'queued', 'offered']);

    // Day 2: the warm-up says 5, the daily cap 3; both waiting jobs fit.
    await wake(second);
    expect(offered().slice(3)).toEqual([`job_3@dev_1+${tomorrow - T0}`, `job_4@dev_1+${tomorrow - T0}`]);
    const pace = await db.selectFrom('device_pacing').selectAll().executeTakeFirstOrThrow();
    expect(pace).toMatchObject({ device_id: 'dev_1', new_contacts: 2, day: tomorrow / DAY_MS });
    expect(pace.first_seen_day).toBe(Math.floor(T0 / DAY_MS));
  });
});
