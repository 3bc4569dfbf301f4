import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ensureChildAccount,
  ensurePlatform,
  grantCredit,
  PLATFORM_ACCOUNT_ID,
} from '../src/accounts/bootstrap.js';
import { transferCredit } from '../src/accounts/account-service.js';
import { getBalance } from '../src/balance.js';
import { billingMigrations } from '../src/db/migrations.js';
import { BILLING_SCHEMA, type BillingTables } from '../src/db/tables.js';
import { rollUpBalances } from '../src/ledger/rollup.js';
import { reserve } from '../src/reservations/reserve.js';
import { settle } from '../src/reservations/settle.js';
import { ledgerProblems } from '../src/testing.js';

/**
 * Ancestors' earnings are unrolled postings, rolled into their rows in batches: captures never
 * write a margin-earning ancestor's row, every balance read is exact before and after the
 * roll-up, and a reseller's funds checks count what it earned but has not had rolled up.
 */
describe.each(databaseAdapters())('unrolled postings and the roll-up on $name', (adapter) => {
  let database: Database;
  let db: Kysely<BillingTables>;
  let nextId = 5_000;

  const reseller = 'acc_rollup_reseller';
  const customer = 'acc_rollup_customer';
  const child = 'acc_rollup_child';

  beforeAll(async () => {
    database = await adapter.open();
    await migrateSchema(database, BILLING_SCHEMA, billingMigrations);
    db = withSchema<BillingTables>(database, BILLING_SCHEMA);
    await ensurePlatform(db);
    await ensureChildAccount(db, {
      id: reseller,
      name: 'R',
      parentId: PLATFORM_ACCOUNT_ID,
      kind: 'reseller',
    });
    await ensureChildAccount(db, { id: customer, name: 'C', parentId: reseller, kind: 'customer' });
    await ensureChildAccount(db, { id: child, name: 'D', parentId: reseller, kind: 'customer' });
    // Texts earn the reseller 30; media cost it 50 more than its customer pays (it holds 50 each).
    await db
      .insertInto('prices')
      .values([
        { account_id: reseller, country: '*', kind: 'text', price_minor: '70' },
        { account_id: customer, country: '*', kind: 'text', price_minor: '100' },
        { account_id: reseller, country: '*', kind: 'media', price_minor: '150' },
        { account_id: customer, country: '*', kind: 'media', price_minor: '100' },
      ])
      .execute();
    await grantCredit(db, customer, 100_000n, 'test');
  });

  afterAll(async () => {
    await database?.close();
  });

  const send = async (kind: 'text' | 'media', count: number) => {
    const items = Array.from({ length: count }, () => ({
      messageId: String(nextId++),
      recipient: '79034567890',
      kind,
      sender: 'S',
      templateCategory: '',
    }));
    return (await reserve(db, { accountId: customer, items })).results;
  };
  const row = (id: string) =>
    db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const balance = async (id: string) => BigInt((await getBalance(db, { accountId: id })).balanceMinor);

  test("captures leave a margin-earning ancestor's row alone; the roll-up writes it once, and every balance reads the same before and after", async () => {
    await rollUpBalances(db);
    const before = { reseller: await row(reseller), platform: await row(PLATFORM_ACCOUNT_ID) };
    const reserved = await send('text', 5);
    const { captured } = await settle(
      db,
      reserved.map((result) => ({ messageId: result.messageId, status: 'SENT' })),
    );
    expect(captured).toHaveLength(5);

    // Neither ancestor's row changed: not its balance, not even its version.
    const xmin = (id: string) =>
      sql<{ xmin: string }>`select xmin::text from billing.accounts where id = ${id}`.execute(db);
    expect((await row(reseller)).balance_minor).toBe(before.reseller.balance_minor);
    expect((await row(PLATFORM_ACCOUNT_ID)).balance_minor).toBe(before.platform.balance_minor);
    const versions = [(await xmin(reseller)).rows[0]?.xmin, (await xmin(PLATFORM_ACCOUNT_ID)).rows[0]?.xmin];
    // ... yet their balances, as every reader sees them, moved by exactly what they earned.
    expect(await balance(reseller)).toBe(BigInt(before.reseller.balance_minor) + 5n * 30n);
    expect(await balance(PLATFORM_ACCOUNT_ID)).toBe(BigInt(before.platform.balance_minor) + 5n * 70n);
    expect(await ledgerProblems(db)).toEqual([]);
    expect(versions).toEqual([
      (await xmin(reseller)).rows[0]?.xmin,
      (await xmin(PLATFORM_ACCOUNT_ID)).rows[0]?.xmin,
    ]);

    const readBefore = [await balance(reseller), await balance(PLATFORM_ACCOUNT_ID)];
    // One settlement batch wrote one unrolled posting per ancestor; the roll-up sums them per account.
    expect(await rollUpBalances(db)).toEqual({ accounts: 2, postings: 2 });
    expect(BigInt((await row(reseller)).balance_minor)).toBe(readBefore[0]);
    expect(BigInt((await row(PLATFORM_ACCOUNT_ID)).balance_minor)).toBe(readBefore[1]);
    expect([await balance(reseller), await balance(PLATFORM_ACCOUNT_ID)]).toEqual(readBefore);
    expect(await rollUpBalances(db)).toEqual({ accounts: 0, postings: 0 });
    expect(await ledgerProblems(db)).toEqual([]);
  });

  test('a reseller selling below cost holds exactly what it has, unrolled earnings included, and no more', async () => {
    await rollUpBalances(db);
    // Spend the reseller's rolled-up earnings down to nothing (a transfer to its other customer).
    const rolled = BigInt((await row(reseller)).balance_minor);
    if (rolled > 0n) {
      await transferCredit(db, {
        actorAccountId: reseller,
        accountId: child,
        amountMinor: String(rolled),
        memo: 'spend it',
      });
    }
    expect(await balance(reseller)).toBe(0n);
    // Three texts earn it 90, not yet rolled up: exactly one media message (a 50 hold) fits.
    const texts = await send('text', 3);
    await settle(
      db,
      texts.map((result) => ({ messageId: result.messageId, status: 'SENT' })),
    );
    expect((await row(reseller)).balance_minor).toBe('0');
    const media = await send('media', 2);
    expect(media.map((result) => result.reserved)).toEqual([true, false]);
    expect(media[1]?.description).toBe(
      'payment is required: an account above this one cannot cover this message',
    );
    expect((await row(reseller)).held_minor).toBe('50');

    // Captured, the media message costs the reseller its 50: 90 - 50 = 40, exact on its row and overall.
    await settle(db, [{ messageId: media[0]!.messageId, status: 'SENT' }]);
    expect((await row(reseller)).held_minor).toBe('0');
    expect(await balance(reseller)).toBe(40n);
    // It can hand on what it has, no more: 41 is refused, 40 moves.
    await expect(
      transferCredit(db, { actorAccountId: reseller, accountId: child, amountMinor: '41', memo: '' }),
    ).rejects.toThrow(/has 40 available, less than 41/);
    await transferCredit(db, { actorAccountId: reseller, accountId: child, amountMinor: '40', memo: '' });
    expect(await balance(reseller)).toBe(0n);
    await rollUpBalances(db);
    expect(await balance(reseller)).toBe(0n);
    expect(await ledgerProblems(db)).toEqual([]);
  });

  test('roll-ups started together (several replicas) move each posting once', async () => {
    const reserved = await send('text', 4);
    for (const result of reserved) await settle(db, [{ messageId: result.messageId, status: 'SENT' }]);
    const expected = [await balance(reseller), await balance(PLATFORM_ACCOUNT_ID)];
    const results = await Promise.all([rollUpBalances(db), rollUpBalances(db), rollUpBalances(db)]);
    expect(results.reduce((sum, result) => sum + result.postings, 0)).toBe(8);
    expect((await db.selectFrom('unrolled_postings').selectAll().execute()).length).toBe(0);
    expect([
      BigInt((await row(reseller)).balance_minor),
      BigInt((await row(PLATFORM_ACCOUNT_ID)).balance_minor),
    ]).toEqual(expected);
    expect(await ledgerProblems(db)).toEqual([]);
  });
});
