import type { Migration } from '@wagate/db';
import { type Kysely, sql } from 'kysely';

/**
 * Templates' migrations, listed in the order the migrator runs them (by name). Frozen in time:
 * each takes Kysely<any> and imports nothing from the app, and never changes once it has
 * shipped; a change is a new migration at the end.
 */
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
  // The skeleton's table had no way to be filled but by hand; templates and their revisions replace it.
  '2026-12-01T00:00_templates_revisions_outbox': {
    async up(db: Kysely<any>) {
      await db.schema.dropTable('template_versions').ifExists().execute();
      await db.schema
        .createTable('templates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('default_language', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint('templates_account_name', ['account_id', 'name'])
        .execute();
      await db.schema
        .createIndex('templates_account_id')
        .on('templates')
        .columns(['account_id', 'id'])
        .execute();
      await db.schema
        .createTable('template_revisions')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('template_id', 'text', (c) => c.notNull().references('templates.id').onDelete('cascade'))
        .addColumn('language_code', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('content', 'jsonb', (c) => c.notNull())
        .addColumn('rejection_reason', 'text')
        .addColumn('reviewer', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('reviewed_at', 'timestamptz')
        .addPrimaryKeyConstraint('template_revisions_pk', ['template_id', 'language_code', 'revision'])
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
};
