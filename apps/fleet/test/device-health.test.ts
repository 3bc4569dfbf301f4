import { Topics } from '@wagate/contracts';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { StatusErrorCode } from '@wagate/errors';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { type ConnectedDevice, DeviceSessions } from '../src/agents/device-sessions.js';
import { fleetMigrations } from '../src/db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { type DeviceHealth, startDeviceHealth } from '../src/health/device-health.js';
import { defaultThresholds } from '../src/health/health-rules.js';
import { startJobScheduler } from '../src/job-scheduler.js';
import { fleet } from '@wagate/contracts';

const limits = defaultThresholds(60_000);
const later = (ms: number) => new Date(Date.now() + ms);
const { WHATS_APP_STATE_LOGGED_IN: loggedIn, WHATS_APP_STATE_BANNED: banned } = fleet.WhatsAppState;

function heartbeat(deviceId: string, whatsappState = loggedIn): fleet.DeviceHeartbeat {
  return {
    deviceId,
    batteryPercent: 64,
    screenOn: false,
    storageFreeBytes: '1073741824',
    networkUp: true,
    whatsappState,
  };
}

function result(deviceId: string, sent: boolean, errorCode = 0): fleet.JobResult {
  return { jobId: 'job_x', deviceId, messageId: '1', sent, errorCode, atMs: '0', traceparent: '' };
}

/** Pacing is job-scheduler.test.ts's subject; here a device takes a job as soon as it may. */
const unpaced = { newContactGapMs: 0, knownContactGapMs: 0, warmup: [] };

describe.each(databaseAdapters())('device health on $name', (adapter) => {
  let database: Database;
  let db: Kysely<FleetTables>;
  let sessions: DeviceSessions;
  let health: DeviceHealth;
  let devices: Record<'a' | 'b', ConnectedDevice & { offers: fleet.JobOffer[] }>;
  let run = 0;

  beforeAll(async () => {
    database = await adapter.open();
    await migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
    db = withSchema<FleetTables>(database, FLEET_SCHEMA);
  });
  afterAll(async () => {
    await health?.stop();
    await database?.close();
  });

  /** Two connected devices, a and b, of one pool, that have just sent a heartbeat. */
  beforeEach(async () => {
    await health?.stop();
    run += 1;
    const sender = `snd_h${run}`;
    await db
      .insertInto('senders')
      .values({ id: sender, account_id: 'acc_h', name: `pool-${run}` })
      .execute();
    sessions = new DeviceSessions();
    const connect = (name: 'a' | 'b') => {
      const offers: fleet.JobOffer[] = [];
      const device = {
        deviceId: `dev_h${run}${name}`,
        senderId: sender,
        credits: 0,
        offers,
        offer: (o: fleet.JobOffer) => offers.push(o),
      };
      sessions.attach(device);
      return device;
    };
    devices = { a: connect('a'), b: connect('b') };
    await db
      .insertInto('devices')
      .values(
        Object.values(devices).map((device) => ({
          id: device.deviceId,
          device_key: `key_${device.deviceId}`,
          agent_id: 'agent_h',
          account_id: 'acc_h',
          phone_number: '79990000001',
          sender_id: sender,
          driver: 'sim',
          android_version: '14',
          whatsapp_version: '2.24',
          last_seen_at: new Date(),
        })),
      )
      .execute();
    health = startDeviceHealth({ db, sessions, limits, onChange: () => {}, onAccepting: () => {} });
    for (const device of Object.values(devices)) await health.heartbeat(heartbeat(device.deviceId));
  });

  const row = (deviceId: string) =>
    db.selectFrom('devices').selectAll().where('id', '=', deviceId).executeTakeFirstOrThrow();
  /** As if the device had entered its state `ms` ago. */
  const backdateState = (deviceId: string, ms: number) =>
    db
      .updateTable('devices')
      .set({ state_changed_at: new Date(Date.now() - ms) })
      .where('id', '=', deviceId)
      .execute();
  const history = (deviceId: string) =>
    db
      .selectFrom('device_history')
      .select(['change', 'from_value', 'to_value', 'reason'])
      .where('device_id', '=', deviceId)
      .orderBy('id')
      .execute();

  test('a heartbeat is stored on the device and brings it online, with a history row and an event', async () => {
    const device = await row(devices.a.deviceId);
    expect(device).toMatchObject({
      state: 'online',
      battery_percent: 64,
      screen_on: false,
      network_up: true,
      whatsapp_state: 'logged_in',
      last_heartbeat_at: expect.any(Date),
    });
    expect(String(device.storage_free_bytes)).toBe('1073741824');
    expect(devices.a.accepting).toBe(true);
    expect(await history(devices.a.deviceId)).toEqual([
      { change: 'state', from_value: 'offline', to_value: 'online', reason: 'reporting normally' },
    ]);
    const events = await db
      .selectFrom('outbox')
      .select(['topic', 'key', 'data'])
      .where('key', '=', devices.a.deviceId)
      .execute();
    expect(events).toEqual([
      {
        topic: Topics.deviceStateChanged,
        key: devices.a.deviceId,
        data: expect.objectContaining({ accountId: 'acc_h', change: 'state', from: 'offline', to: 'online' }),
      },
    ]);
  });

  test('a repeated heartbeat changes nothing in the history', async () => {
    await health.heartbeat(heartbeat(devices.a.deviceId));
    expect(await history(devices.a.deviceId)).toHaveLength(1);
  });

  test('silence for the offline interval makes a device offline in the sweep, and it gives up its queued conversations', async () => {
    await db
      .insertInto('contacts')
      .values([
        { sender_id: devices.a.senderId!, recipient: '79160000001', device_id: devices.a.deviceId },
        { sender_id: devices.a.senderId!, recipient: '79160000002', device_id: devices.b.deviceId },
      ])
      .execute();
    await health.sweepOnce(later(limits.offlineAfterMs - 1_000));
    expect((await row(devices.a.deviceId)).state).toBe('online');
    await health.heartbeat(heartbeat(devices.b.deviceId));
    await db
      .updateTable('devices')
      .set({ last_seen_at: later(limits.offlineAfterMs) })
      .where('id', '=', devices.b.deviceId)
      .execute();
    await health.sweepOnce(later(limits.offlineAfterMs + 1_000));
    expect(await row(devices.a.deviceId)).toMatchObject({
      state: 'offline',
      state_reason: expect.stringMatching(/^no heartbeat for \d+ s$/),
    });
    expect(devices.a.accepting).toBe(false);
    expect((await row(devices.b.deviceId)).state).toBe('online');
    const contacts = await db
      .selectFrom('contacts')
      .select('device_id')
      .where('sender_id', '=', devices.a.senderId!)
      .execute();
    expect(contacts).toEqual([{ device_id: devices.b.deviceId }]);
    await health.heartbeat(heartbeat(devices.a.deviceId));
    expect(devices.a.accepting).toBe(true);
    expect((await history(devices.a.deviceId)).map((entry) => entry.to_value)).toEqual([
      'online',
      'offline',
      'online',
    ]);
  });

  test('WhatsApp showing a ban makes it banned, and after the quarantine delay it is quarantined automatically', async () => {
    await health.heartbeat(heartbeat(devices.a.deviceId, banned));
    expect(await row(devices.a.deviceId)).toMatchObject({ state: 'banned', admin_state: 'active' });
    expect(devices.a.accepting).toBe(false);
    await health.sweepOnce();
    expect((await row(devices.a.deviceId)).admin_state).toBe('active');
    await backdateState(devices.a.deviceId, limits.quarantineBannedAfterMs + 1_000);
    await health.sweepOnce();
    expect((await row(devices.a.deviceId)).admin_state).toBe('quarantined');
    expect((await history(devices.a.deviceId)).at(-1)).toMatchObject({
      change: 'admin_state',
      from_value: 'active',
      to_value: 'quarantined',
      reason: expect.stringMatching(/^automatic: banned since /),
    });
    // Unbanned, it is online again but stays quarantined until someone releases it.
    await health.heartbeat(heartbeat(devices.a.deviceId));
    expect(await row(devices.a.deviceId)).toMatchObject({ state: 'online', admin_state: 'quarantined' });
    expect(devices.a.accepting).toBe(false);
    await health.setAdminState(devices.a.deviceId, 'active', 'checked');
    expect(devices.a.accepting).toBe(true);
  });

  test('logged out and update required come from the WhatsApp state', async () => {
    await health.heartbeat(heartbeat(devices.a.deviceId, fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_OUT));
    expect((await row(devices.a.deviceId)).state).toBe('logged_out');
    await health.heartbeat(
      heartbeat(devices.a.deviceId, fleet.WhatsAppState.WHATS_APP_STATE_UPDATE_REQUIRED),
    );
    expect((await row(devices.a.deviceId)).state).toBe('update_required');
    expect(devices.a.accepting).toBe(false);
  });

  test('a failure rate over the threshold makes it degraded (still accepting); recipients without WhatsApp do not count', async () => {
    for (let i = 0; i < 30; i++)
      await health.result(result(devices.a.deviceId, false, StatusErrorCode.NotOnWhatsApp));
    expect((await row(devices.a.deviceId)).state).toBe('online');
    for (let i = 0; i < 5; i++) await health.result(result(devices.a.deviceId, true));
    for (let i = 0; i < 4; i++)
      await health.result(result(devices.a.deviceId, false, StatusErrorCode.Unknown));
    expect((await row(devices.a.deviceId)).state).toBe('online');
    await health.result(result(devices.a.deviceId, false, StatusErrorCode.Unknown));
    expect(await row(devices.a.deviceId)).toMatchObject({
      state: 'degraded',
      state_reason: '5 of the last 10 sends failed',
    });
    expect(devices.a.accepting).toBe(true);
    await backdateState(devices.a.deviceId, limits.quarantineDegradedAfterMs + 1_000);
    await health.sweepOnce();
    expect((await row(devices.a.deviceId)).admin_state).toBe('quarantined');
  });

  test('results that arrive together (written in one batch) all count, in order', async () => {
    // Five sends then five failures, reported at once as a busy stream's would be: none is lost.
    await Promise.all([
      ...Array.from({ length: 5 }, () => health.result(result(devices.a.deviceId, true))),
      ...Array.from({ length: 5 }, () =>
        health.result(result(devices.a.deviceId, false, StatusErrorCode.Unknown)),
      ),
    ]);
    expect(await row(devices.a.deviceId)).toMatchObject({
      recent_results: 'sssssfffff',
      state: 'degraded',
      state_reason: '5 of the last 10 sends failed',
    });
  });

  test('heartbeats of several devices that arrive together each reach their own device', async () => {
    await Promise.all([
      health.heartbeat({ ...heartbeat(devices.a.deviceId), batteryPercent: 11 }),
      health.heartbeat({ ...heartbeat(devices.b.deviceId, banned), batteryPercent: 22 }),
    ]);
    expect(await row(devices.a.deviceId)).toMatchObject({ battery_percent: 11, state: 'online' });
    expect(await row(devices.b.deviceId)).toMatchObject({ battery_percent: 22, state: 'banned' });
    expect(devices.b.accepting).toBe(false);
  });

  test('spam refusals in a row look like a ban', async () => {
    for (let i = 0; i < limits.banPatternLength; i++) {
      await health.result(result(devices.a.deviceId, false, StatusErrorCode.Spam));
    }
    expect(await row(devices.a.deviceId)).toMatchObject({
      state: 'banned',
      state_reason: 'the last 5 sends were refused as spam',
    });
  });

  test("a quarantined device's queued conversations go to another device of the pool; its offered jobs stay", async () => {
    const scheduler = startJobScheduler(db, sessions, { pacing: unpaced });
    try {
      const sender = devices.a.senderId!;
      const job = (id: string, recipient: string, state: 'queued' | 'offered') => ({
        message_id: `${run}${id}`,
        job_id: `job_${run}_${id}`,
        account_id: 'acc_h',
        sender_id: sender,
        recipient,
        device_id: state === 'offered' ? devices.a.deviceId : null,
        state,
        payload: JSON.stringify({ messageId: `${run}${id}` }),
        traceparent: '',
        updated_at: new Date(),
      });
      await db
        .insertInto('jobs')
        .values([job('1', '79160000009', 'offered'), job('2', '79160000009', 'queued')])
        .execute();
      await db
        .insertInto('contacts')
        .values({ sender_id: sender, recipient: '79160000009', device_id: devices.a.deviceId })
        .execute();
      devices.a.credits = 1;
      devices.b.credits = 1;

      await health.setAdminState(devices.a.deviceId, 'quarantined', 'test');
      scheduler.kick();
      await vi.waitFor(() => expect(devices.b.offers.map((offer) => offer.jobId)).toEqual([`job_${run}_2`]));
      expect(devices.a.offers).toEqual([]);
      const jobs = await db
        .selectFrom('jobs')
        .select(['job_id', 'state', 'device_id'])
        .where('sender_id', '=', sender)
        .orderBy('job_id')
        .execute();
      expect(jobs).toEqual([
        { job_id: `job_${run}_1`, state: 'offered', device_id: devices.a.deviceId },
        { job_id: `job_${run}_2`, state: 'offered', device_id: devices.b.deviceId },
      ]);
    } finally {
      await scheduler.stop();
    }
  });

  test('a draining device gets nothing new', async () => {
    const scheduler = startJobScheduler(db, sessions, { pacing: unpaced });
    try {
      await health.setAdminState(devices.b.deviceId, 'draining', 'cordon');
      devices.b.credits = 1;
      await db
        .insertInto('jobs')
        .values({
          message_id: `${run}9`,
          job_id: `job_${run}_9`,
          account_id: 'acc_h',
          sender_id: devices.b.senderId!,
          recipient: '79160000010',
          device_id: null,
          state: 'queued',
          payload: '{}',
          traceparent: '',
          updated_at: new Date(),
        })
        .execute();
      scheduler.kick();
      await scheduler.flush();
      expect(devices.b.offers).toEqual([]);
      devices.a.credits = 1;
      scheduler.kick();
      await vi.waitFor(() => expect(devices.a.offers.map((offer) => offer.jobId)).toEqual([`job_${run}_9`]));
    } finally {
      await scheduler.stop();
    }
  });
});
