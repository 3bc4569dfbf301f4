import type { fleet } from '@wagate/contracts';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { type ConnectedDevice, DeviceSessions } from '../src/agents/device-sessions.js';
import { fleetMigrations } from '../src/db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { type JobScheduler, startJobScheduler } from '../src/job-scheduler.js';
import { jobRow } from './support/job-rows.js';

/**
 * Device ownership across fleet replicas: the agent stream that connected last holds a device
 * (its row says which), and a replica still holding an older stream of it — its process lost
 * the agent without noticing, or its scheduler pass began before the agent moved — offers it
 * nothing more; the jobs wait for the replica the agent is on now.
 */
describe.each(databaseAdapters())('device ownership on $name', (adapter) => {
  let database: Database;
  let db: Kysely<FleetTables>;
  let schedulers: JobScheduler[];
  let offers: Array<{ jobId: string; replica: string }>;

  beforeEach(async () => {
    database = await adapter.open();
    await migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
    db = withSchema<FleetTables>(database, FLEET_SCHEMA);
    schedulers = [];
    offers = [];
    await db.insertInto('senders').values({ id: 'snd_1', account_id: 'acc_1', name: 'MyCompany' }).execute();
    await db
      .insertInto('devices')
      .values({
        id: 'dev_1',
        device_key: 'sim-1',
        agent_id: 'agent_1',
        phone_number: '79990000001',
        sender_id: 'snd_1',
        driver: 'sim',
        android_version: '14',
        whatsapp_version: '2.24',
        last_seen_at: new Date(),
        // The agent's first stream, on replica A.
        agent_stream_id: 'stm_a',
      })
      .execute();
  });
  afterEach(async () => {
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    await database.close();
  });

  /** A replica's scheduler holding dev_1 on stream `streamId`. */
  function replica(name: string, streamId: string): { sessions: DeviceSessions; scheduler: JobScheduler } {
    const sessions = new DeviceSessions();
    const device: ConnectedDevice = {
      deviceId: 'dev_1',
      senderId: 'snd_1',
      streamId,
      credits: 5,
      offer: (offer: fleet.JobOffer) => offers.push({ jobId: offer.jobId, replica: name }),
    };
    sessions.attach(device);
    const scheduler = startJobScheduler(db, sessions, {
      pacing: { newContactGapMs: 0, knownContactGapMs: 0, warmup: [] },
      lookaheadMs: 0,
    });
    schedulers.push(scheduler);
    return { sessions, scheduler };
  }

  test('the replica the agent left offers its device nothing more; the one it joined offers the jobs', async () => {
    const a = replica('A', 'stm_a');
    await db.insertInto('jobs').values(jobRow(1, '79160000001')).execute();
    await a.scheduler.flush();
    expect(offers).toEqual([{ jobId: 'job_1', replica: 'A' }]);

    // The agent connects to replica B, which takes the device over (what the gateway's connect
    // writes), while A still believes it holds the device.
    await db.updateTable('devices').set({ agent_stream_id: 'stm_b' }).where('id', '=', 'dev_1').execute();
    await db
      .insertInto('jobs')
      .values([jobRow(2, '79160000002'), jobRow(3, '79160000003')])
      .execute();
    await a.scheduler.flush();
    expect(offers).toEqual([{ jobId: 'job_1', replica: 'A' }]);
    // A noticed and let the stale entry go.
    expect(a.sessions.get('dev_1')).toBeUndefined();
    const queued = await db.selectFrom('jobs').select('job_id').where('state', '=', 'queued').execute();
    expect(queued.map((job) => job.job_id).sort()).toEqual(['job_2', 'job_3']);

    const b = replica('B', 'stm_b');
    await b.scheduler.flush();
    expect(offers.slice(1)).toEqual([
      { jobId: 'job_2', replica: 'B' },
      { jobId: 'job_3', replica: 'B' },
    ]);
  });
});
