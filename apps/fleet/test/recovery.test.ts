import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fleetMigrations } from '../src/db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { type RecoveryOptions, recoverStuckDevices } from '../src/health/recovery.js';

const minute = 60_000;

describe.each(databaseAdapters())('stuck-device recovery on $name', (adapter) => {
  let database: Database;
  let db: Kysely<FleetTables>;
  let options: RecoveryOptions;
  /** The devices a restart command was asked for; the device key "broken" cannot get one. */
  let restarts: string[];
  const restartVm = async (deviceId: string) => {
    if (deviceId === 'dev_r_gone') throw new Error('the agent hosting it is gone');
    restarts.push(deviceId);
    return { id: `cmd_${deviceId}` };
  };

  beforeAll(async () => {
    database = await adapter.open();
    await migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
    db = withSchema<FleetTables>(database, FLEET_SCHEMA);
    restarts = [];
    options = {
      stuckAfterMs: 5 * minute,
      offlineAfterMs: 10 * minute,
      cooldownMs: 15 * minute,
    };
    const ago = (ms: number) => new Date(Date.now() - ms);
    const device = (id: string, key: string, state: 'online' | 'offline', stateAgoMs: number) => ({
      id,
      device_key: key,
      agent_id: 'agent_r',
      account_id: 'acc_r',
      phone_number: '79990000001',
      sender_id: null,
      driver: 'adb',
      android_version: '14',
      whatsapp_version: '2.24',
      last_seen_at: new Date(),
      state,
      state_changed_at: ago(stateAgoMs),
    });
    await db
      .insertInto('devices')
      .values([
        device('dev_r_stuck', 'emulator-5554', 'online', 60 * minute), // an offer out for 6 minutes, no result
        device('dev_r_busy', 'emulator-5556', 'online', 60 * minute), // its offer is recent
        device('dev_r_gone', 'broken', 'offline', 11 * minute), // offline past the limit; the tool fails
        device('dev_r_blip', 'emulator-5558', 'offline', 1 * minute), // just went offline
      ])
      .execute();
    const offer = (n: string, deviceId: string, agoMs: number) => ({
      message_id: n,
      job_id: `job_r${n}`,
      account_id: 'acc_r',
      sender_id: 'snd_r',
      recipient: '79160000001',
      device_id: deviceId,
      state: 'offered' as const,
      payload: '{}',
      traceparent: '',
      updated_at: ago(agoMs),
    });
    await db
      .insertInto('jobs')
      .values([offer('71', 'dev_r_stuck', 6 * minute), offer('72', 'dev_r_busy', minute)])
      .execute();
  });
  afterAll(async () => {
    await database?.close();
  });

  const recoveries = () =>
    db
      .selectFrom('device_history')
      .select(['device_id', 'from_value', 'to_value', 'reason'])
      .where('change', '=', 'recovery')
      .orderBy('device_id')
      .execute();

  test('asks for a VM restart of stuck and long-offline devices, and records the request', async () => {
    let recorded = 0;
    await recoverStuckDevices(db, options, new Date(), () => recorded++, restartVm);
    expect(restarts).toEqual(['dev_r_stuck']);
    expect(recorded).toBe(2);
    expect(await recoveries()).toEqual([
      {
        device_id: 'dev_r_gone',
        from_value: 'offline',
        to_value: 'failed',
        reason: 'offline for over 600 s; no restart command: the agent hosting it is gone',
      },
      {
        device_id: 'dev_r_stuck',
        from_value: 'online',
        to_value: 'requested',
        reason:
          'offers outstanding and no job result for over 300 s; restart command cmd_dev_r_stuck for agent agent_r',
      },
    ]);
  });

  test('does not run again for a device within the cooldown', async () => {
    await recoverStuckDevices(db, options, new Date(), () => {}, restartVm);
    expect(restarts).toHaveLength(1);
    expect(await recoveries()).toHaveLength(2);
  });
});
