import type { Migration } from '@wagate/db';
import { type Kysely, sql } from 'kysely';

/**
 * Dispatch's migrations, listed in the order the migrator runs them (by name). Frozen in time:
 * each takes Kysely<any> and imports nothing from the app, and never changes once it has
 * shipped; a change is a new migration at the end.
 */
export const dispatchMigrations: Record<string, Migration> = {
  '2026-11-24T00:00_messages_history_callbacks_outbox': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('messages')
        .addColumn('id', 'bigint', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('payload', 'jsonb', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error_code', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('callback_url', 'text')
        .addColumn('callback_data', 'text')
        .addColumn('accepted_at', 'timestamptz', (c) => c.notNull())
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
        .addColumn('redriven_at', 'timestamptz')
        .execute();
      await db.schema
        .createIndex('messages_status_accepted')
        .on('messages')
        .columns(['status', 'accepted_at'])
        .execute();
      await db.schema
        .createIndex('messages_account_accepted')
        .on('messages')
        .columns(['account_id', 'accepted_at'])
        .execute();
      await db.schema
        .createTable('status_history')
        .addColumn('message_id', 'bigint', (c) => c.notNull().references('messages.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error_code', 'integer', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('status_history_pk', ['message_id', 'status'])
        .execute();
      await db.schema
        .createTable('callbacks')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('message_id', 'bigint', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
        .addColumn('lease_until', 'timestamptz')
        .addColumn('last_error', 'text')
        .addColumn('traceparent', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('delivered_at', 'timestamptz')
        .execute();
      await db.schema
        .createIndex('callbacks_pending')
        .on('callbacks')
        .columns(['state', 'next_attempt_at'])
        .execute();
      await db.schema
        .createIndex('callbacks_message')
        .on('callbacks')
        .columns(['message_id', 'id'])
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
  '2026-11-24T09:00_messages_account_id_index': {
    async up(db: Kysely<any>) {
      // ListMessages: one account's messages newest first, a page after a given id.
      await db.schema
        .createIndex('messages_account_id')
        .on('messages')
        .columns(['account_id', 'id desc'])
        .execute();
    },
  },
  '2026-11-24T09:01_account_settings': {
    async up(db: Kysely<any>) {
      // NULL means "not set"; an account without a row has no settings at all.
      await db.schema
        .createTable('account_settings')
        .addColumn('account_id', 'text', (c) => c.primaryKey())
        .addColumn('incoming_url', 'text')
        .addColumn('status_url', 'text')
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
  '2026-11-24T10:00_webhook_secrets': {
    async up(db: Kysely<any>) {
      // One live secret per account (expires_at NULL); a rotated-out one keeps signing until expires_at.
      await db.schema
        .createTable('webhook_secrets')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('expires_at', 'timestamptz')
        .execute();
      await db.schema
        .createIndex('webhook_secrets_current')
        .on('webhook_secrets')
        .column('account_id')
        .unique()
        .where(sql.ref('expires_at'), 'is', null)
        .execute();
      await db.schema
        .createIndex('webhook_secrets_account')
        .on('webhook_secrets')
        .columns(['account_id', 'expires_at'])
        .execute();
    },
  },
  '2026-11-24T10:30_inbound_messages': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('inbound_messages')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('device_message_key', 'text', (c) => c.notNull())
        .addColumn('to', 'text', (c) => c.notNull())
        .addColumn('from', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('profile_name', 'text', (c) => c.notNull())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull())
        .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint('inbound_messages_device_key', ['device_id', 'device_message_key'])
        .execute();
    },
  },
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
  '2026-12-01T22:00_policy_decisions_duplicates': {
    async up(db: Kysely<any>) {
      // Which policy rule decided a status, and why (NULL for statuses no rule decided).
      await db.schema.alterTable('status_history').addColumn('rule', 'text').execute();
      await db.schema.alterTable('status_history').addColumn('reason', 'text').execute();
      // The last message seen per content fingerprint: one row per (account, fingerprint), so
      // an upsert decides "first in its window" atomically across dispatch replicas.
      await db.schema
        .createTable('duplicate_fingerprints')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('message_id', 'bigint', (c) => c.notNull())
        .addColumn('seen_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('duplicate_fingerprints_pk', ['account_id', 'fingerprint'])
        .execute();
    },
  },
  '2026-12-01T23:00_rate_buckets': {
    async up(db: Kysely<any>) {
      // Token buckets of the policy's rate limits, one row per bucket (e.g. account:acc_1).
      await db.schema
        .createTable('rate_buckets')
        .addColumn('bucket', 'text', (c) => c.primaryKey())
        .addColumn('tokens', 'double precision', (c) => c.notNull())
        .addColumn('refilled_at_ms', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
  '2026-12-01T23:00_webhook_endpoints': {
    async up(db: Kysely<any>) {
      // One row per account and callback origin: its delivery health, and whether it is disabled.
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('origin', 'text', (c) => c.notNull())
        .addColumn('last_success_at', 'timestamptz')
        .addColumn('last_failure_at', 'timestamptz')
        .addColumn('failing_since', 'timestamptz')
        .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('disabled_at', 'timestamptz')
        .addUniqueConstraint('webhook_endpoints_account_origin', ['account_id', 'origin'])
        .execute();
    },
  },
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
  '2026-12-02T00:20_sender_behaviour': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('sender_outcomes')
        .addColumn('message_id', 'bigint', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('failed', 'boolean', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull())
        .execute();
      // The failing-sender rule reads a sender's latest outcomes.
      await db.schema
        .createIndex('sender_outcomes_recent')
        .on('sender_outcomes')
        .columns(['account_id', 'sender', 'at desc'])
        .execute();
      await db.schema
        .createTable('senders_seen')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('first_accepted_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('senders_seen_pk', ['account_id', 'sender'])
        .execute();
      await db.schema
        .createTable('text_fanout')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('sender', 'text', (c) => c.notNull())
        .addColumn('text_fingerprint', 'text', (c) => c.notNull())
        .addColumn('recipient', 'text', (c) => c.notNull())
        .addColumn('seen_at', 'timestamptz', (c) => c.notNull())
        .addPrimaryKeyConstraint('text_fanout_pk', ['account_id', 'sender', 'text_fingerprint', 'recipient'])
        .execute();
      // Old rows are deleted by age (policy/forget-old-counts.ts).
      await db.schema.createIndex('sender_outcomes_at').on('sender_outcomes').column('at').execute();
      await db.schema.createIndex('text_fanout_seen_at').on('text_fanout').column('seen_at').execute();
    },
  },
  '2026-12-02T01:30_inbound_content': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('inbound_messages').addColumn('content', 'jsonb').execute();
    },
  },
  '2026-12-06T10:00_pending_callback_indexes': {
    async up(db: Kysely<any>) {
      // The callback claim reads only pending rows: partial indexes keep its plan an index walk
      // however many delivered rows there are and whether or not statistics were gathered.
      await db.schema
        .createIndex('callbacks_pending_id')
        .on('callbacks')
        .column('id')
        .where(sql.ref('state'), '=', 'pending')
        .execute();
      await db.schema
        .createIndex('callbacks_pending_message')
        .on('callbacks')
        .columns(['message_id', 'id'])
        .where(sql.ref('state'), '=', 'pending')
        .execute();
    },
  },
  '2026-12-06T10:00_webhook_secrets_sealed': {
    async up(db: Kysely<any>) {
      // Secrets are stored encrypted from now on (webhooks/secret-keys.ts). A migration cannot
      // hold the keys, so rows written before keep their text in plaintext_secret until dispatch
      // seals them at its next start (sealWebhookSecretsAtRest) and empties the column.
      await db.schema.alterTable('webhook_secrets').renameColumn('secret', 'plaintext_secret').execute();
      await db.schema
        .alterTable('webhook_secrets')
        .alterColumn('plaintext_secret', (c) => c.dropNotNull())
        .execute();
      await db.schema
        .alterTable('webhook_secrets')
        .addColumn('key_id', 'text')
        .addColumn('wrapped_key', 'text')
        .addColumn('sealed_secret', 'text')
        .execute();
      await db.schema
        .alterTable('webhook_secrets')
        .addCheckConstraint(
          'webhook_secrets_sealed_or_legacy',
          sql`(key_id is not null and wrapped_key is not null and sealed_secret is not null) or plaintext_secret is not null`,
        )
        .execute();
    },
  },
};
