import type { Migration } from '@wagate/db';
import { type Kysely, sql } from 'kysely';

/**
 * Billing's migrations, listed in the order the migrator runs them (by name). Frozen in time:
 * each takes Kysely<any> and imports nothing from the app, and never changes once it has
 * shipped; a change is a new migration at the end.
 */
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
  '2026-12-01T00:00_account_tree_prices_ledger_quotas': {
    async up(db: Kysely<any>) {
      // The tree: `path` lists the ids from the root down to the account (`/acc_root/acc_r/acc_c/`),
      // so a subtree is one prefix match and the chain an account's messages are charged along
      // is in the row itself. Accounts never move, so the path never changes.
      await db.schema
        .alterTable('accounts')
        .addColumn('kind', 'text', (c) =>
          c.notNull().defaultTo('customer').check(sql`kind in ('platform', 'reseller', 'customer')`),
        )
        .addColumn('path', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('depth', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('markup_bps', 'integer', (c) => c.notNull().defaultTo(0).check(sql`markup_bps >= 0`))
        .addColumn('held_minor', 'bigint', (c) => c.notNull().defaultTo(0).check(sql`held_minor >= 0`))
        .addColumn('daily_quota', 'integer', (c) => c.check(sql`daily_quota >= 0`))
        .addColumn('monthly_quota', 'integer', (c) => c.check(sql`monthly_quota >= 0`))
        .execute();
      await sql`
        with recursive tree as (
          select id, '/' || id || '/' as path, 0 as depth from billing.accounts where parent_id is null
          union all
          select a.id, t.path || a.id || '/', t.depth + 1 from billing.accounts a join tree t on a.parent_id = t.id
        )
        update billing.accounts a set path = tree.path, depth = tree.depth from tree where a.id = tree.id
      `.execute(db);
      await db.schema
        .createIndex('accounts_path')
        .on('accounts')
        .expression(sql`path text_pattern_ops`)
        .execute();
      await db.schema
        .createIndex('accounts_parent')
        .on('accounts')
        .columns(['parent_id', 'created_at'])
        .execute();

      await db.schema
        .alterTable('api_keys')
        .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('expires_at', 'timestamptz')
        .addColumn('last_used_at', 'timestamptz')
        .execute();
      await db.schema
        .createIndex('api_keys_account')
        .on('api_keys')
        .columns(['account_id', 'created_at'])
        .execute();

      // What an account pays per message, set by its parent; country '*' is any country.
      await db.schema
        .createTable('prices')
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
        .addColumn('country', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('price_minor', 'bigint', (c) => c.notNull().check(sql`price_minor >= 0`))
        .addPrimaryKeyConstraint('prices_pk', ['account_id', 'country', 'kind'])
        .execute();

      // Double entry: every balance change is a row here, the rows of one transaction sum to
      // zero, and accounts.balance_minor is always the sum of the account's rows. Money from
      // outside (a platform top-up) comes from the account '@external'.
      await db.schema
        .createTable('ledger_entries')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('transaction_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('message_id', 'bigint')
        .addColumn('memo', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createIndex('ledger_entries_account')
        .on('ledger_entries')
        .columns(['account_id', 'id'])
        .execute();
      await db.schema
        .createIndex('ledger_entries_transaction')
        .on('ledger_entries')
        .column('transaction_id')
        .execute();

      // A reservation is also the message's usage row: who sent it, where, what it costs each
      // level of the chain (`chain`: [{accountId, priceMinor, holdMinor}], root first), and its
      // latest status.
      await db.schema
        .alterTable('reservations')
        .addColumn('account_path', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('sender', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('country', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('price_kind', 'text', (c) => c.notNull().defaultTo('text'))
        .addColumn('amount_minor', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('chain', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
        .addColumn('quota_accounts', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
        .addColumn('last_status', 'text', (c) => c.notNull().defaultTo('ACCEPTED'))
        .execute();
      await db.schema
        .createIndex('reservations_usage')
        .on('reservations')
        .expression(sql`account_path text_pattern_ops, created_at`)
        .execute();

      // Messages counted against a quota, per account and period ('2026-12-01' or '2026-12'),
      // kept only for accounts that have that quota.
      await db.schema
        .createTable('quota_counters')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('quota_counters_pk', ['account_id', 'period'])
        .execute();

      // The transactional outbox (@wagate/outbox), written out here: a migration never changes after it ships.
      await db.schema
        .createTable('outbox')
        .ifNotExists()
        .addColumn('seq', 'bigserial', (column) => column.primaryKey())
        .addColumn('topic', 'text', (column) => column.notNull())
        .addColumn('event_id', 'text', (column) => column.notNull())
        .addColumn('key', 'text', (column) => column.notNull())
        .addColumn('data', 'jsonb', (column) => column.notNull())
        .addColumn('headers', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
  '2026-12-06T10:00_open_reservations_index': {
    async up(db: Kysely<any>) {
      // The sweep for reservations whose message never reached dispatch reads the open ones,
      // oldest first: a partial index keeps that a short index scan however many are settled.
      await db.schema
        .createIndex('reservations_open_by_update')
        .on('reservations')
        .column('updated_at')
        .where(sql.ref('state'), '=', 'reserved')
        .execute();
    },
  },
  '2026-12-06T14:00_unrolled_postings': {
    async up(db: Kysely<any>) {
      // What captures credit to accounts whose rows they do not lock (resellers earning a margin,
      // the platform): one row per account per settlement batch, added into
      // accounts.balance_minor by the roll-up a few times a second. An account's balance is its
      // row's balance_minor plus its rows here; the ledger entries stay the record of every move.
      await db.schema
        .createTable('unrolled_postings')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('unrolled_postings_account')
        .on('unrolled_postings')
        .column('account_id')
        .execute();
      // No query reads ledger entries by transaction id, and each capture paid for random-key
      // inserts into this index (four entries a message); the audit sums them by a scan.
      await db.schema.dropIndex('ledger_entries_transaction').ifExists().execute();
    },
  },
};
