import type { Migration } from '@wagate/db';
import { type Kysely, sql } from 'kysely';

// Migrations are frozen in time: they take Kysely<any> and import nothing from the app.
export const billingMigrations: Record<string, Migration> = {
  '2026-11-24T00:00_accounts_keys_reservations': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.references('accounts.id'))
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('scopes', sql`text[]`, (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('revoked_at', 'timestamptz')
        .execute();
      await db.schema
        .createTable('reservations')
        .addColumn('message_id', 'bigint', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
  '2026-11-24T09:00_account_balances': {
    async up(db: Kysely<any>) {
      // Amounts are integers in the currency's minor units (kopecks for RUB): no rounding, ever.
      await db.schema
        .alterTable('accounts')
        .addColumn('currency', 'text', (c) =>
          c.notNull().defaultTo('RUB').check(sql`currency ~ '^[A-Z]{3}$'`),
        )
        .addColumn('balance_minor', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('credit_limit_minor', 'bigint', (c) => c.check(sql`credit_limit_minor >= 0`))
        .execute();
    },
  },
};
