import { type Database, migrateSchema, openDatabase, withSchema } from '@wagate/db';
import { type FreshPostgres, freshPostgresUrl } from '@wagate/db/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { billingMigrations } from '../src/db/migrations.js';
import { BILLING_SCHEMA, type BillingTables } from '../src/db/tables.js';
import { reserve } from '../src/reservations/reserve.js';
import { sweepUnaccepted } from '../src/reservations/sweep-unaccepted.js';
import { getUsage } from '../src/usage/usage.js';
import { fundedCustomer, ledgerProblems } from '../src/testing.js';

/** Reservations whose message never reached dispatch are released by the sweep, on real PostgreSQL. */
let fresh: FreshPostgres;
let database: Database;
let db: Kysely<BillingTables>;
const customer = 'acc_sweep_customer';
let nextId = 5_000;

beforeAll(async () => {
  fresh = await freshPostgresUrl();
  database = await openDatabase(fresh.url);
  await migrateSchema(database, BILLING_SCHEMA, billingMigrations);
  db = withSchema<BillingTables>(database, BILLING_SCHEMA);
  await fundedCustomer(db, { customer: { id: customer, textPriceMinor: 100 }, creditMinor: 10_000n });
}, 60_000);

afterAll(async () => {
  await database?.close();
  await fresh?.drop();
});

async function reserveMessages(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => String(nextId++));
  const { results } = await reserve(db, {
    accountId: customer,
    items: ids.map((messageId) => ({
      messageId,
      recipient: '79034567890',
      kind: 'text',
      sender: 'S',
      templateCategory: '',
    })),
  });
  expect(results.every((result) => result.reserved)).toBe(true);
  return ids;
}

const ageMinutes = (ids: string[], minutes: number) =>
  db
    .updateTable('reservations')
    .set({ updated_at: new Date(Date.now() - minutes * 60_000) })
    .where('message_id', 'in', ids)
    .execute();

const states = async (ids: string[]) =>
  Object.fromEntries(
    (
      await db
        .selectFrom('reservations')
        .select(['message_id', 'state', 'last_status'])
        .where('message_id', 'in', ids)
        .execute()
    ).map((row) => [String(row.message_id), `${row.state}/${row.last_status}`]),
  );

const held = async () =>
  (await db.selectFrom('accounts').select('held_minor').where('id', '=', customer).executeTakeFirstOrThrow())
    .held_minor;

test('old reservations dispatch does not hold are released as REJECTED; held, recent and retried ones keep their funds', async () => {
  const [lost, alsoLost, atDispatch] = await reserveMessages(3);
  const [recent] = await reserveMessages(1);
  await ageMinutes([lost!, alsoLost!, atDispatch!], 10);
  expect(await held()).toBe('400');

  const asked: string[][] = [];
  const released = await sweepUnaccepted(
    db,
    async (ids) => {
      asked.push(ids);
      return new Set([atDispatch!]);
    },
    { olderThanMs: 5 * 60_000, batchSize: 2 },
  );

  expect(released).toBe(2);
  // Two batches of at most two: the recent reservation was never asked about.
  expect(asked.flat().sort()).toEqual([lost!, alsoLost!, atDispatch!].sort());
  expect(await states([lost!, alsoLost!, atDispatch!, recent!])).toEqual({
    [lost!]: 'released/REJECTED',
    [alsoLost!]: 'released/REJECTED',
    [atDispatch!]: 'reserved/ACCEPTED',
    [recent!]: 'reserved/ACCEPTED',
  });
  expect(await held()).toBe('200');
  expect(await ledgerProblems(db)).toEqual([]);

  // Usage counts the released ones as rejected and charges nothing for them.
  const today = new Date().toISOString().slice(0, 10);
  const usage = await getUsage(db, {
    actorAccountId: customer,
    accountId: customer,
    fromDay: today,
    toDay: today,
    groupBy: ['status'],
  });
  expect(usage.rows.find((row) => row.status === 'REJECTED')).toMatchObject({
    messages: '2',
    amountMinor: '0',
  });

  // The one dispatch holds was touched: the next sweep does not ask about it again for a while.
  expect(await sweepUnaccepted(db, async () => new Set(), { olderThanMs: 5 * 60_000 })).toBe(0);
}, 60_000);

test('a reservation touched after the sweep looked at it (a retry reserving again) is not released', async () => {
  const [retried] = await reserveMessages(1);
  await ageMinutes([retried!], 10);
  const released = await sweepUnaccepted(
    db,
    async () => {
      // The retry touches the row while the sweep is asking dispatch.
      await db
        .updateTable('reservations')
        .set({ updated_at: new Date() })
        .where('message_id', '=', retried!)
        .execute();
      return new Set();
    },
    { olderThanMs: 5 * 60_000 },
  );
  expect(released).toBe(0);
  expect(await states([retried!])).toEqual({ [retried!]: 'reserved/ACCEPTED' });
  expect(await ledgerProblems(db)).toEqual([]);
}, 60_000);
