import { type Database, migrateSchema, openDatabase, withSchema } from '@wagate/db';
import { type FreshPostgres, freshPostgresUrl } from '@wagate/db/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { fleetMigrations } from '../src/db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { queuedJobs } from '../src/job-scheduler.js';

/**
 * The job queue's read on real PostgreSQL, on a table never analysed (autovacuum off): 11 000
 * queued jobs after 40 000 finished ones. Its plan must walk the queued-only index, not the
 * table nor the primary key (which, analysed, the planner would walk through every finished job).
 */
let fresh: FreshPostgres;
let database: Database;
let db: Kysely<FleetTables>;

beforeAll(async () => {
  fresh = await freshPostgresUrl();
  database = await openDatabase(fresh.url);
  await migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
  db = withSchema<FleetTables>(database, FLEET_SCHEMA);
  await sql`alter table fleet.jobs set (autovacuum_enabled = false)`.execute(db);
  await sql`
    insert into fleet.jobs (message_id, job_id, account_id, sender_id, recipient, device_id, state, payload, traceparent, updated_at)
    select n, 'job_' || n, 'acc_1', 'snd_' || (n % 3), '7903' || (1000000 + n % 5000), null,
           case when n <= 40000 then 'sent' else 'queued' end, '{}', '', now()
    from generate_series(1, 51000) as n`.execute(db);
}, 120_000);

afterAll(async () => {
  await database?.close();
  await fresh?.drop();
});

// Either index reads queued rows only: the partial one in queue order, or (sender, state), which
// the health and metrics queries added; what must never happen is a walk over finished jobs.
const QUEUED_ONLY_INDEX = /Index Scan (using|on) (jobs_queued_seq|jobs_sender_state)/;

test('the job queue read walks an index of queued jobs only, without statistics and with them', async () => {
  const plan = async () =>
    (await queuedJobs(db, ['snd_1', 'snd_2'], 120).explain()).map((row) => row['QUERY PLAN']).join('\n');
  const unanalysed = await plan();
  console.log(`job queue plan, no statistics:\n${unanalysed}`);
  expect(unanalysed).toMatch(QUEUED_ONLY_INDEX);
  expect(unanalysed).not.toMatch(/Seq Scan on jobs/);

  await sql`analyze fleet.jobs`.execute(db);
  const analysed = await plan();
  console.log(`job queue plan, analysed:\n${analysed}`);
  expect(analysed).toMatch(QUEUED_ONLY_INDEX);
  expect(analysed).not.toMatch(/Seq Scan on jobs/);

  const jobs = await queuedJobs(db, ['snd_1'], 10).execute();
  expect(jobs).toHaveLength(10);
  expect(jobs.every((job) => job.sender_id === 'snd_1')).toBe(true);
}, 60_000);
