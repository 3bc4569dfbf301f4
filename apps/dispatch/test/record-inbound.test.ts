import type { MessageInboundEvent } from '@wagate/contracts';
import { migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { describe, expect, test } from 'vitest';
import { dispatchMigrations } from '../src/db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';
import { recordInbound } from '../src/record-inbound.js';

const event: MessageInboundEvent = {
  accountId: 'acc_1',
  deviceId: 'dev_1',
  deviceMessageKey: 'key-1',
  to: '79990000001',
  from: '79031112233',
  text: 'hi',
  profileName: 'Ivan',
  atMs: 1_800_000_000_000,
};

describe.each(databaseAdapters())('inbound messages on $name', (adapter) => {
  test('a repeated report is recorded and called back once; no incoming URL means no webhook', async () => {
    const database = await adapter.open();
    try {
      await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
      const db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);

      expect(await recordInbound(db, event)).toBe(false);
      expect(await db.selectFrom('inbound_messages').select('id').execute()).toHaveLength(1);

      await db
        .insertInto('account_settings')
        .values({ account_id: 'acc_1', incoming_url: 'https://tenant.example/in', status_url: null })
        .execute();
      const second = { ...event, deviceMessageKey: 'key-2' };
      expect(await recordInbound(db, second)).toBe(true);
      expect(await recordInbound(db, second)).toBe(false);

      const callbacks = await db.selectFrom('callbacks').select(['url', 'body']).execute();
      expect(callbacks).toHaveLength(1);
      expect(callbacks[0]!.url).toBe('https://tenant.example/in');
      expect(JSON.parse(callbacks[0]!.body)).toMatchObject({ from: '79031112233', text: 'hi', to: '79990000001' });
    } finally {
      await database.close();
    }
  });
});
