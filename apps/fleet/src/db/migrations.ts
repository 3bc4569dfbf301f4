import type { Migration } from '@wagate/db';
import { createOutboxTable } from '@wagate/outbox';
import { type Kysely, sql } from 'kysely';

export const fleetMigrations: Record<string, Migration> = {
  '2026-11-24T00:00_senders_devices_jobs_outbox': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('senders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint('senders_account_name', ['account_id', 'name'])
        .execute();
      await db.schema
        .createTable('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device_key', 'text', (c) => c.notNull().unique())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('phone_number', 'text', (c) => c.notNull())
        .addColumn('sender_id', 'text', (c) => c.references('senders.id'))
        .addColumn('driver', 'text', (c) => c.notNull())
        .addColumn('android_version', 'text', (c) => c.notNull())
        .addColumn('whatsapp_version', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('jobs')
        .addColumn('seq', 'bigserial', (c) => c.primaryKey())
        .addColumn('message_id', 'bigint', (c) => c.notNull().unique())
        .addColumn('job_id', 'text', (c) => c.notNull().unique())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('sender_id', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('payload', 'jsonb', (c) => c.notNull())
        .addColumn('traceparent', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('jobs_state_seq').on('jobs').columns(['state', 'seq']).execute();
      await db.schema
        .createTable('contacts')
        .addColumn('sender_id', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('contacts_pk', ['sender_id', 'recipient'])
        .execute();
      await createOutboxTable(db);
    },
  },
  '2026-12-02T00:00_device_pacing': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('device_pacing')
        .addColumn('device_id', 'text', (c) => c.primaryKey())
        .addColumn('first_seen_day', 'integer', (c) => c.notNull())
        .addColumn('day', 'integer', (c) => c.notNull())
        .addColumn('new_contacts', 'integer', (c) => c.notNull())
        .execute();
    },
  },
};
