import type { Migration } from '@wagate/db';
import type { Kysely } from 'kysely';

/** Part of dispatch's migrations (spread into them), kept beside the module that owns the table. */
export const optOutMigrations: Record<string, Migration> = {
  '2026-12-02T00:10_opt_outs': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('opt_outs')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('keyword', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('opt_outs_pk', ['account_id', 'recipient'])
        .execute();
      // The list is read newest first.
      await db.schema
        .createIndex('opt_outs_account_created')
        .on('opt_outs')
        .columns(['account_id', 'created_at', 'recipient'])
        .execute();
    },
  },
};
