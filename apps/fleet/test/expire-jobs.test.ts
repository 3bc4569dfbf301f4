import { migrateSchema, withSchema } from '@wagate/db';
import { sql } from 'kysely';
import { databaseAdapters } from '@wagate/db/testing';
import { describe, expect, test } from 'vitest';
import { fleetMigrations } from '../src/db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { expireOverdueJobs, jobDeadline } from '../src/expire-jobs.js';

describe.each(databaseAdapters())('validity on $name', (adapter) => {
  test('expires queued jobs past their validity with 2011, and offered ones only once their device went silent', async () => {
    const database = await adapter.open();
    try {
      await migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
      const db = withSchema<FleetTables>(database, FLEET_SCHEMA);
      const now = Date.now();
      const device = (id: string, silentForMs: number) => ({
        id,
        device_key: `key_${id}`,
        agent_id: 'agent_v',
        phone_number: '79990000001',
        sender_id: null,
        driver: 'sim',
        android_version: '14',
        whatsapp_version: '2.25',
        last_seen_at: new Date(now - silentForMs),
      });
      // dev_v heartbeats; dev_gone has been silent for longer than a send can take.
      await db
        .insertInto('devices')
        .values([device('dev_v', 5_000), device('dev_gone', 6 * 60_000)])
        .execute();
      const job = (
        messageId: string,
        state: 'queued' | 'offered',
        acceptedAgoMs: number,
        validitySeconds: number,
        deviceId = 'dev_v',
      ) => ({
        message_id: messageId,
        job_id: `job_${messageId}`,
        account_id: 'acc_v',
        sender_id: 'snd_v',
        recipient: '79034567890',
        device_id: state === 'offered' ? deviceId : null,
        state,
        payload: JSON.stringify({ messageId, acceptedAtMs: String(now - acceptedAgoMs), validitySeconds }),
        traceparent: '',
        updated_at: new Date(),
      });
      await db
        .insertInto('jobs')
        .values([
          job('1', 'queued', 61_000, 60), // its own validity passed
          job('2', 'queued', 59_000, 60), // still within it
          job('3', 'offered', 61_000, 60), // may already be out: its live device's result decides
          job('4', 'queued', 86_401_000, 0), // no validity: the default day passed
          job('5', 'queued', 3_600_000, 0), // no validity, an hour old
          job('6', 'offered', 61_000, 60, 'dev_gone'), // its device is gone: nobody is sending it
          job('7', 'offered', 59_000, 60, 'dev_gone'), // gone too, but still within validity
        ])
        .execute();

      expect(await expireOverdueJobs(db, now)).toBe(3);
      const states = await db
        .selectFrom('jobs')
        .select(['message_id', 'state'])
        .orderBy('message_id')
        .execute();
      expect(states.map((row) => `${row.message_id}:${row.state}`)).toEqual([
        '1:done',
        '2:queued',
        '3:offered',
        '4:done',
        '5:queued',
        '6:done',
        '7:offered',
      ]);
      const events = await db.selectFrom('outbox').select(['event_id', 'data']).orderBy('seq').execute();
      expect(events.map((event) => event.event_id)).toEqual([
        'status:1:EXPIRED',
        'status:4:EXPIRED',
        'status:6:EXPIRED',
      ]);
      expect(events[0]!.data).toMatchObject({ status: 'EXPIRED', errorCode: 2011, rule: 'validity' });
      expect(events[2]!.data).toMatchObject({ status: 'EXPIRED', errorCode: 2011 });
      // A second sweep finds nothing more to expire.
      expect(await expireOverdueJobs(db, now)).toBe(0);
    } finally {
      await database.close();
    }
  });

  test('the sweep finds overdue jobs by the deadline index, not by reading every queued payload', async () => {
    const database = await adapter.open();
    try {
      await migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
      const db = withSchema<FleetTables>(database, FLEET_SCHEMA);
      const plan = await db.transaction().execute(async (trx) => {
        // With sequential scans priced out, the planner takes the index if it can match it: an
        // edit of the sweep's expression that the index no longer matches fails here.
        await sql`set local enable_seqscan = off`.execute(trx);
        const rows = await trx
          .selectFrom('jobs')
          .select('message_id')
          .where('state', '=', 'queued')
          .where(jobDeadline(), '<=', Date.now())
          .explain();
        return rows.map((row) => Object.values(row).join(' ')).join('\n');
      });
      expect(plan).toContain('jobs_deadline');
    } finally {
      await database.close();
    }
  });
});
