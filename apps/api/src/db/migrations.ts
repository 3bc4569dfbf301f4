import type { Migration } from '@wagate/db';
import { type Kysely, sql } from 'kysely';

/**
 * The api schema's migrations (idempotency keys, console sessions), listed in the order the
 * migrator runs them (by name). Frozen in time: each takes Kysely<any> and imports nothing from
 * the app, and never changes once it has shipped; a change is a new migration at the end.
 */
export const apiMigrations: Record<string, Migration> = {
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
  '2026-12-06T10:00_console_sessions': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('console_sessions')
        // SHA-256 (hex) of the session id; the id itself lives only in the browser's cookie.
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        // SHA-256 (hex) of the API key signed in with, as billing keeps it: every request of
        // the session resolves it again, so a revoked key ends its sessions.
        .addColumn('key_hash', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('console_sessions_expires')
        .on('console_sessions')
        .column('expires_at')
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
