import type { Migration } from '@wagate/db';
import { type Kysely, sql } from 'kysely';

/**
 * Fleet's migrations, listed in the order the migrator runs them (by name). Frozen in time:
 * each takes Kysely<any> and imports nothing from the app, and never changes once it has
 * shipped; a change is a new migration at the end.
 */
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
  '2026-12-02T00:00_enrolment_agents_device_health': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('enrolment_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('sender', 'text')
        .addColumn('max_uses', 'integer', (c) => c.notNull())
        .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('agents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('token_id', 'text', (c) => c.notNull())
        .addColumn('credential_hash', 'text', (c) => c.notNull())
        .addColumn('previous_credential_hash', 'text')
        .addColumn('previous_valid_until', 'timestamptz')
        .addColumn('enrolled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('rotated_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await db.schema
        .alterTable('devices')
        .addColumn('account_id', 'text')
        .addColumn('state', 'text', (c) => c.notNull().defaultTo('offline'))
        .addColumn('state_reason', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('state_changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('admin_state', 'text', (c) => c.notNull().defaultTo('active'))
        .addColumn('last_heartbeat_at', 'timestamptz')
        .addColumn('battery_percent', 'integer')
        .addColumn('screen_on', 'boolean')
        .addColumn('storage_free_bytes', 'bigint')
        .addColumn('network_up', 'boolean')
        .addColumn('whatsapp_state', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('recent_results', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('last_result_at', 'timestamptz')
        .addColumn('recovery_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('devices_account').on('devices').columns(['account_id', 'id']).execute();
      // A device key (an adb serial such as emulator-5554) is unique on its host, not across
      // hosts: two agents' devices with the same key are two devices.
      await db.schema.alterTable('devices').dropConstraint('devices_device_key_key').execute();
      await db.schema
        .alterTable('devices')
        .addUniqueConstraint('devices_agent_device_key', ['agent_id', 'device_key'])
        .execute();
      await db.schema
        .createTable('device_history')
        .addColumn('id', 'bigserial', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('change', 'text', (c) => c.notNull())
        .addColumn('from_value', 'text', (c) => c.notNull())
        .addColumn('to_value', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('device_history_device')
        .on('device_history')
        .columns(['device_id', 'id'])
        .execute();
      await db.schema.createIndex('jobs_device_state').on('jobs').columns(['device_id', 'state']).execute();
    },
  },
  '2026-12-02T01:00_device_pacing': {
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
  // Each sender pool's queue is counted at every scrape and by GET /v1/fleet/health.
  '2026-12-06T01:00_jobs_sender_state': {
    async up(db: Kysely<any>) {
      await db.schema.createIndex('jobs_sender_state').on('jobs').columns(['sender_id', 'state']).execute();
    },
  },
  '2026-12-06T10:00_queued_jobs_index': {
    async up(db: Kysely<any>) {
      // The scheduler reads queued jobs in queue order: a partial index makes that an index walk
      // over queued rows only, whatever the statistics say.
      await db.schema
        .createIndex('jobs_queued_seq')
        .on('jobs')
        .column('seq')
        .where(sql.ref('state'), '=', 'queued')
        .execute();
    },
  },
  '2026-12-06T10:00_vm_commands': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('vm_commands')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('agent_id', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('apk_url', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('apk_sha256', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('error', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('rollout_id', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('deadline_at', 'timestamptz', (c) => c.notNull())
        .addColumn('sent_at', 'timestamptz')
        .addColumn('finished_at', 'timestamptz')
        .addColumn('screenshot', 'bytea')
        .execute();
      // Unfinished commands by agent: what a stream picks up when it connects and on each poll.
      await db.schema
        .createIndex('vm_commands_agent_state')
        .on('vm_commands')
        .columns(['agent_id', 'state'])
        .execute();
      await db.schema
        .createIndex('vm_commands_rollout')
        .on('vm_commands')
        .columns(['rollout_id', 'state'])
        .execute();
      await db.schema
        .alterTable('agents')
        .addColumn('host_report', 'jsonb')
        .addColumn('host_reported_at', 'timestamptz')
        .execute();
    },
  },
  '2026-12-06T10:30_rollouts': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('rollouts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('apk_url', 'text', (c) => c.notNull())
        .addColumn('apk_sha256', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('wave', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('first_wave_share', 'double precision', (c) => c.notNull())
        .addColumn('growth', 'double precision', (c) => c.notNull())
        .addColumn('max_failure_rate', 'double precision', (c) => c.notNull())
        .addColumn('requested_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('finished_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('rollouts_state').on('rollouts').columns(['state']).execute();
      await db.schema
        .createTable('rollout_devices')
        .addColumn('rollout_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('wave', 'integer', (c) => c.notNull())
        .addColumn('command_id', 'text')
        .addPrimaryKeyConstraint('rollout_devices_pk', ['rollout_id', 'device_id'])
        .execute();
    },
  },
  // Which agent stream holds each device: written when the agent connects (to any replica), so a
  // replica that lost the stream can no longer offer the device jobs (offer-jobs.ts, docs/fleet.md).
  '2026-12-06T13:00_device_agent_stream': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('devices').addColumn('agent_stream_id', 'text').execute();
    },
  },
  // The validity sweep (expire-jobs.ts) looks for queued and offered jobs past their deadline
  // every 5 s: without an index on the deadline it read every such job's payload, a cost that
  // grew with the backlog (96 ms a sweep behind the 100-message bench's queue). The expression
  // is `jobDeadline()`'s with the default validity (86 400 s) written out, as the sweep writes it.
  '2026-12-06T20:30_jobs_deadline_index': {
    async up(db: Kysely<any>) {
      await db.schema
        .createIndex('jobs_deadline')
        .on('jobs')
        .expression(
          sql`((payload->>'acceptedAtMs')::bigint + coalesce(nullif((payload->>'validitySeconds')::int, 0), 86400) * 1000)`,
        )
        .where(sql.ref('state'), 'in', ['queued', 'offered'])
        .execute();
    },
  },
};
