import type { Migration } from '@wagate/db';
import { type Kysely, sql } from 'kysely';

export const templatesMigrations: Record<string, Migration> = {
  '2026-11-24T00:00_template_versions': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('template_versions')
        .addColumn('template_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('language_code', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('template_versions_pk', ['account_id', 'template_id', 'language_code'])
        .execute();
    },
  },
};
