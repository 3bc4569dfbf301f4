import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { fleetMigrations } from '../src/db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { recordJobResult } from '../src/device-reports.js';
import { jobRow } from './support/job-rows.js';

describe.each(databaseAdapters())('job results on $name', (adapter) => {
  let database: Database;
  let db: Kysely<FleetTables>;

  beforeEach(async () => {
    database = await adapter.open();
    await migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
    db = withSchema<FleetTables>(database, FLEET_SCHEMA);
    await db
      .insertInto('jobs')
      .values(jobRow(41, '79160000001', { device_id: 'dev_a', state: 'offered' }))
      .execute();
  });
  afterEach(() => database.close());

  const result = (deviceId: string) => ({
    jobId: 'job_41',
    deviceId,
    messageId: '41',
    sent: true,
    errorCode: 0,
    atMs: Date.now(),
    traceparent: '',
  });
  const statusEvents = () => db.selectFrom('outbox').select('event_id').execute();

  test('only the device the job was offered to can report it; another device’s report changes nothing', async () => {
    expect(await recordJobResult(db, result('dev_b'))).toBe(false);
    expect(await statusEvents()).toEqual([]);
    const job = await db
      .selectFrom('jobs')
      .select('state')
      .where('job_id', '=', 'job_41')
      .executeTakeFirstOrThrow();
    expect(job.state).toBe('offered');

    expect(await recordJobResult(db, result('dev_a'))).toBe(true);
    expect(await statusEvents()).toHaveLength(1);
    // A repeat of the same report is recognised and ignored.
    expect(await recordJobResult(db, result('dev_a'))).toBe(false);
  });
});
