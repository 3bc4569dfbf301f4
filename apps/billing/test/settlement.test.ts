import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PLATFORM_ACCOUNT_ID } from '../src/accounts/bootstrap.js';
import { billingMigrations } from '../src/db/migrations.js';
import { BILLING_SCHEMA, type BillingTables } from '../src/db/tables.js';
import { reserve } from '../src/reservations/reserve.js';
import { capture, release } from '../src/reservations/settle.js';
import { getBalance } from '../src/balance.js';
import { fundedCustomer, ledgerProblems } from '../src/testing.js';

/** Reserve, capture and release on both database adapters: each happens once per message. */
describe.each(databaseAdapters())('settlement on $name', (adapter) => {
  let database: Database;
  let db: Kysely<BillingTables>;
  let nextId = 1_000;

  const reseller = 'acc_settle_reseller';
  const customer = 'acc_settle_customer';

  beforeAll(async () => {
    database = await adapter.open();
    await migrateSchema(database, BILLING_SCHEMA, billingMigrations);
    db = withSchema<BillingTables>(database, BILLING_SCHEMA);
    await fundedCustomer(db, {
      reseller: { id: reseller, textPriceMinor: 70 },
      customer: { id: customer, textPriceMinor: 100 },
      creditMinor: 1_000n,
    });
    await db.updateTable('accounts').set({ monthly_quota: 10 }).where('id', '=', customer).execute();
  });

  afterAll(async () => {
    await database?.close();
  });

  const reserveOne = async () => {
    const messageId = String(nextId++);
    const { results } = await reserve(db, {
      accountId: customer,
      items: [{ messageId, recipient: '79034567890', kind: 'text', sender: 'S', templateCategory: '' }],
    });
    expect(results[0]?.reserved).toBe(true);
    return messageId;
  };
  const account = (id: string) =>
    db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  /** The account's balance as GetBalance answers it (ancestors' earnings may not be rolled up yet). */
  const balance = async (id: string) => (await getBalance(db, { accountId: id })).balanceMinor;
  const counter = async () =>
    (
      await db
        .selectFrom('quota_counters')
        .select('used')
        .where('account_id', '=', customer)
        .executeTakeFirst()
    )?.used;

  test('a capture that arrives twice charges once: the customer pays 100, the reseller keeps 30, the platform 70', async () => {
    const messageId = await reserveOne();
    expect((await account(customer)).held_minor).toBe('100');
    expect(await capture(db, messageId)).toBe(true);
    expect(await capture(db, messageId)).toBe(false);
    expect((await account(customer)).balance_minor).toBe('900');
    expect((await account(customer)).held_minor).toBe('0');
    expect(await balance(reseller)).toBe('30');
    expect(await balance(PLATFORM_ACCOUNT_ID)).toBe('70');
    expect(await ledgerProblems(db)).toEqual([]);
  });

  test('a release after the capture, or twice, gives nothing back twice; the quota counts the message until released', async () => {
    const captured = await reserveOne();
    await capture(db, captured);
    expect(await release(db, [captured])).toBe(0);
    expect((await account(customer)).balance_minor).toBe('800');

    const failed = await reserveOne();
    const used = await counter();
    expect(await release(db, [failed, failed])).toBe(1);
    expect(await release(db, [failed])).toBe(0);
    expect(await counter()).toBe(used! - 1);
    expect((await account(customer)).held_minor).toBe('0');
    expect((await account(customer)).balance_minor).toBe('800');
    expect(await ledgerProblems(db)).toEqual([]);
  });

  test('a retried request reserves its message ids once: held ones stay held, released-unsent ones are not sent', async () => {
    const again = await reserveOne();
    const before = await account(customer);
    const usedBefore = await counter();
    const refused = await reserveOne();
    await release(db, [refused], { finalStatus: 'REJECTED' });
    const fresh = String(nextId++);
    const item = (messageId: string) => ({
      messageId,
      recipient: '79034567890',
      kind: 'text',
      sender: 'S',
      templateCategory: '',
    });
    const { results } = await reserve(db, {
      accountId: customer,
      items: [item(again), item(refused), item(fresh)],
    });
    expect(results.map((result) => [result.messageId, result.reserved])).toEqual([
      [again, true],
      [refused, false],
      [fresh, true],
    ]);
    // Only the fresh message was held and counted now.
    expect(BigInt((await account(customer)).held_minor)).toBe(BigInt(before.held_minor) + 100n);
    expect(await counter()).toBe(usedBefore! + 1);
    expect(await ledgerProblems(db)).toEqual([]);
  });
});
