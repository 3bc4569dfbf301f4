import type { Migration } from '@wagate/db';
import { type Kysely, sql } from 'kysely';

// Migrations are frozen in time: they take Kysely<any> and import nothing from the app.
export const sessionMigrations: Record<string, Migration> = {
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
};
