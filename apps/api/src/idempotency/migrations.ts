import type { Migration } from '@wagate/db';
import { type Kysely, sql } from 'kysely';

// Migrations are frozen in time: they take Kysely<any> and import nothing from the app.
export const idempotencyMigrations: Record<string, Migration> = {
  '2026-11-24T09:00_idempotency_keys': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('body_hash', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('in_progress', 'completed')`))
        .addColumn('status_code', 'integer')
        .addColumn('response_body', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('completed_at', 'timestamptz')
        .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_id', 'key'])
        // A completed entry always has the response it replays.
        .addCheckConstraint(
          'idempotency_keys_completed_has_response',
          sql`state <> 'completed' or (status_code is not null and response_body is not null)`,
        )
        .execute();
      // purgeExpired deletes by age.
      await db.schema
        .createIndex('idempotency_keys_created')
        .on('idempotency_keys')
        .column('created_at')
        .execute();
    },
  },
};
