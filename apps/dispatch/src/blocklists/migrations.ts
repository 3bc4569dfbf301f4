import type { Migration } from '@wagate/db';
import type { Kysely } from 'kysely';

/** Part of dispatch's migrations (spread into them), kept beside the module that owns the table. */
export const blocklistMigrations: Record<string, Migration> = {
  '2026-12-02T00:00_blocklists': {
    async up(db: Kysely<any>) {
      // One row per account that has a list: read by primary key for the account and its ancestors.
      await db.schema
        .createTable('blocklists')
        .addColumn('account_id', 'text', (c) => c.primaryKey())
        .addColumn('words', 'jsonb', (c) => c.notNull())
        .addColumn('domains', 'jsonb', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },
};
