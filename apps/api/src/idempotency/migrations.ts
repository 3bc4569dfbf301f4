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
  '2026-12-06T10:00_idempotency_leases': {
    async up(db: Kysely<any>) {
      // A request holds its key by a lease (locked_at, locked_by) that a retry may take over once
      // it lapses (its api died), resuming from the recovery point the request recorded before
      // it called any peer (the message ids it hands out). Rows from before leases existed have
      // no recovery point and are not resumable: they stay in progress until they expire.
      await db.schema
        .alterTable('idempotency_keys')
        .addColumn('locked_at', 'timestamptz')
        .addColumn('locked_by', 'text')
        .addColumn('recovery_point', 'jsonb')
        .addColumn('resumable', 'boolean', (c) => c.notNull().defaultTo(false))
        .execute();
      await db.schema
        .alterTable('idempotency_keys')
        .alterColumn('resumable', (c) => c.setDefault(true))
        .execute();
    },
  },
};
