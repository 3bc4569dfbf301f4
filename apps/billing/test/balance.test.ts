import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getBalance } from '../src/balance.js';
import { billingMigrations } from '../src/db/migrations.js';
import { BILLING_SCHEMA, type BillingTables } from '../src/db/tables.js';

const [firstMigration] = Object.keys(billingMigrations).sort();

describe.each(databaseAdapters())('GetBalance on $name', (adapter) => {
  let database: Database;
  let db: Kysely<BillingTables>;

  beforeAll(async () => {
    database = await adapter.open();
    // An account created before balances existed must come out of the migration with defaults.
    await migrateSchema(database, BILLING_SCHEMA, { [firstMigration!]: billingMigrations[firstMigration!]! });
    await withSchema<any>(database, BILLING_SCHEMA)
      .insertInto('accounts')
      .values({ id: 'acc_old', name: 'Old' })
      .execute();
    await migrateSchema(database, BILLING_SCHEMA, billingMigrations);
    db = withSchema<BillingTables>(database, BILLING_SCHEMA);
  });

  afterAll(async () => {
    await database?.close();
  });

  test('an account from before balances has a zero RUB balance and no credit', async () => {
    expect(await getBalance(db, { accountId: 'acc_old' })).toEqual({
      accountId: 'acc_old',
      currency: 'RUB',
      balanceMinor: '0',
      reservedMinor: '0',
      creditLimitMinor: undefined,
    });
  });

  test('amounts come back exact, beyond what a JavaScript number holds, with the credit limit when set', async () => {
    await db
      .insertInto('accounts')
      .values({
        id: 'acc_rich',
        name: 'Rich',
        parent_id: null,
        status: 'active',
        currency: 'EUR',
        balance_minor: '9007199254740993',
        credit_limit_minor: '50000',
      })
      .execute();
    expect(await getBalance(db, { accountId: 'acc_rich' })).toEqual({
      accountId: 'acc_rich',
      currency: 'EUR',
      balanceMinor: '9007199254740993',
      reservedMinor: '0',
      creditLimitMinor: '50000',
    });
  });

  test('an unknown account is NOT_FOUND', async () => {
    await expect(getBalance(db, { accountId: 'acc_missing' })).rejects.toMatchObject({
      key: ErrorKey.NotFound,
      message: expect.stringContaining('acc_missing'),
    });
  });

  test('the database refuses a currency that is not an ISO 4217 code', async () => {
    await expect(
      db
        .insertInto('accounts')
        .values({ id: 'acc_bad', name: 'Bad', parent_id: null, status: 'active', currency: 'rub' })
        .execute(),
    ).rejects.toThrow(/check constraint/);
  });
});
