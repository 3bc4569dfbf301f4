import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { fleet } from '@wagate/contracts';
import { activeContext } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { fleetMigrations } from '../src/db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { recordJobResult, recordJobResults, recordReceipts } from '../src/device-reports.js';
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
    atMs: String(Date.now()),
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

  test('in a batch of results, each job is done once, only by its own device, with one SENT event', async () => {
    await db
      .insertInto('jobs')
      .values(jobRow(42, '79160000002', { device_id: 'dev_b', state: 'offered' }))
      .execute();
    const traced = (report: ReturnType<typeof result>) => ({ report, context: activeContext() });
    const answers = await recordJobResults(db, [
      traced(result('dev_b')),
      traced(result('dev_a')),
      traced(result('dev_a')),
      traced({ ...result('dev_b'), jobId: 'job_42', messageId: '42' }),
    ]);
    expect(answers).toEqual([false, true, false, true]);
    expect((await statusEvents()).map((event) => event.event_id).sort()).toEqual([
      'status:41:SENT',
      'status:42:SENT',
    ]);
  });

  test("receipts count for the device the message's job was offered to, not another's; a malformed one beside them fails none", async () => {
    const receipt = (deviceId: string, kind: fleet.ReceiptKind, messageId = '41') => ({
      report: { deviceId, messageId, kind, atMs: '0', traceparent: '' },
      context: activeContext(),
    });
    const { RECEIPT_KIND_DELIVERED: delivered, RECEIPT_KIND_READ: read } = fleet.ReceiptKind;
    expect(
      await recordReceipts(db, [
        receipt('dev_b', delivered),
        receipt('dev_a', delivered, 'not-a-message-id'),
        receipt('dev_a', delivered),
        receipt('dev_a', read),
      ]),
    ).toEqual([false, false, true, true]);
    expect((await statusEvents()).map((event) => event.event_id)).toEqual([
      'status:41:DELIVERED',
      'status:41:READ',
    ]);
  });
});
