import { type Database, migrateSchema, openDatabase, withSchema } from '@wagate/db';
import { type FreshPostgres, freshPostgresUrl } from '@wagate/db/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { dispatchMigrations } from '../src/db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';
import { claimDueCallbacks } from '../src/webhooks/callback-worker.js';

/**
 * The callback claim on real PostgreSQL, on a table that has never been analysed (autovacuum
 * off, no ANALYZE): 11 000 pending callbacks among 40 000 delivered ones, the case where the
 * claim took 6 s. Its plan must walk the pending-only indexes, not scan the table.
 */
let fresh: FreshPostgres;
let database: Database;
let db: Kysely<DispatchTables>;

beforeAll(async () => {
  fresh = await freshPostgresUrl();
  database = await openDatabase(fresh.url);
  await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
  db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);
  await sql`alter table dispatch.callbacks set (autovacuum_enabled = false)`.execute(db);
  await sql`
    insert into dispatch.callbacks (account_id, message_id, url, body, state, next_attempt_at, traceparent, delivered_at)
    select 'acc_1', 100000 + n / 3, 'https://hooks.example.com/cb' || (n % 7), '[]',
           case when n <= 40000 then 'delivered' else 'pending' end,
           now() - interval '1 minute', '', case when n <= 40000 then now() end
    from generate_series(1, 51000) as n`.execute(db);
}, 120_000);

afterAll(async () => {
  await database?.close();
  await fresh?.drop();
});

test('the callback claim walks the pending-only indexes on a table without statistics', async () => {
  const { rows } = await sql<{ reltuples: number }>`
    select reltuples from pg_class where oid = 'dispatch.callbacks'::regclass`.execute(db);
  // Never analysed: PostgreSQL knows nothing about the rows (-1 since PostgreSQL 14).
  expect(rows[0]!.reltuples).toBeLessThanOrEqual(0);

  const claimPlan = async () =>
    (await claimDueCallbacks(db, { room: 64, perOriginLimit: 4, saturated: ['https://hooks.example.com'] }).explain())
      .map((row) => row['QUERY PLAN'])
      .join('\n');
  const expectIndexDriven = (plan: string) => {
    // Pending rows are found through an index, and so is each one's earlier pending status.
    expect(plan).not.toMatch(/Seq Scan on callbacks/);
    expect(plan).toMatch(/Index Scan (using|on) callbacks_pending\w* on callbacks c\b|Index Scan on callbacks_pending\w*\s/);
    expect(plan).toMatch(/Index (Only )?Scan using callbacks_pending_message on callbacks earlier/);
  };
  const unanalysed = await claimPlan();
  console.log(`callback claim plan, no statistics:\n${unanalysed}`);
  expectIndexDriven(unanalysed);

  await sql`analyze dispatch.callbacks`.execute(db);
  const analysed = await claimPlan();
  console.log(`callback claim plan, analysed:\n${analysed}`);
  expectIndexDriven(analysed);

  // And it claims what it should: the oldest due pending rows, one status per message.
  const claimed = await claimDueCallbacks(db, { room: 64, perOriginLimit: 4, saturated: [] }).execute();
  expect(claimed.length).toBeGreaterThan(0);
  expect(claimed.every((row) => row.state === 'pending')).toBe(true);
  expect(new Set(claimed.map((row) => row.message_id)).size).toBe(claimed.length);
}, 60_000);
