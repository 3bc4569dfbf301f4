import type { Migration } from '@wagate/db';
import type { Kysely } from 'kysely';

/** Part of dispatch's migrations (spread into them), kept beside the module that owns the tables. */
export const conversationWindowMigrations: Record<string, Migration> = {
  '2026-12-01T00:00_conversation_windows': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('conversation_windows')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('last_inbound_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('conversation_windows_pk', ['account_id', 'sender', 'recipient'])
        .execute();
      await db.schema
        .createTable('conversation_window_policies')
        .addColumn('account_id', 'text', (c) => c.primaryKey())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
    },
  },
};
