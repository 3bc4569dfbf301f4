import { migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { describe, expect, test } from 'vitest';
import { fleetMigrations } from '../src/db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { expireOverdueJobs } from '../src/expire-jobs.js';

describe.each(databaseAdapters())('validity on $name', (adapter) => {
  test('expires queued jobs past their validity with 2011, never one already offered to a device', async () => {
    const database = await adapter.open();
    try {
      await migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
      const db = withSchema<FleetTables>(database, FLEET_SCHEMA);
      const now = Date.now();
      const job = (
        messageId: string,
        state: 'queued' | 'offered',
        acceptedAgoMs: number,
        validitySeconds: number,
      ) => ({
        message_id: messageId,
        job_id: `job_${messageId}`,
        account_id: 'acc_v',
        sender_id: 'snd_v',
        recipient: '79034567890',
        device_id: state === 'offered' ? 'dev_v' : null,
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
          job('3', 'offered', 61_000, 60), // may already be out: its device's result decides
          job('4', 'queued', 86_401_000, 0), // no validity: the default day passed
          job('5', 'queued', 3_600_000, 0), // no validity, an hour old
        ])
        .execute();

      expect(await expireOverdueJobs(db, now)).toBe(2);
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
      ]);
      const events = await db.selectFrom('outbox').select(['event_id', 'data']).orderBy('seq').execute();
      expect(events.map((event) => event.event_id)).toEqual(['status:1:EXPIRED', 'status:4:EXPIRED']);
      expect(events[0]!.data).toMatchObject({ status: 'EXPIRED', errorCode: 2011, rule: 'validity' });
      // A second sweep finds nothing more to expire.
      expect(await expireOverdueJobs(db, now)).toBe(0);
    } finally {
      await database.close();
    }
  });
});
