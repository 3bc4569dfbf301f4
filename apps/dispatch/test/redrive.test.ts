import { createMemoryBus, type Delivery } from '@wagate/bus';
import { migrateSchema, withSchema } from '@wagate/db';
import { startOutboxRelay } from '@wagate/outbox';
import { databaseAdapters } from '@wagate/testkit';
import { describe, expect, test } from 'vitest';
import { dispatchMigrations } from '../src/db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';
import { startRedrive } from '../src/redrive.js';

describe.each(databaseAdapters())('redrive on $name', (adapter) => {
  test('announces a message again when its accepted event was lost, and only stale ones', async () => {
    const database = await adapter.open();
    const bus = createMemoryBus();
    try {
      await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
      const db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);
      const message = (id: string, acceptedAgoMs: number) => ({
        id,
        account_id: 'acc_1',
        sender: 'MyCompany',
        recipient: '79034567890',
        payload: JSON.stringify({ messageId: id, sender: 'MyCompany', recipient: '79034567890', text: 'hi' }),
        status: 'ACCEPTED',
        error_code: 0,
        callback_url: null,
        callback_data: null,
        accepted_at: new Date(Date.now() - acceptedAgoMs),
        updated_at: new Date(),
        redriven_at: null,
      });
      // Accepted long ago and its event never reached fleet; the other was accepted just now.
      await db.insertInto('messages').values([message('1001', 120_000), message('1002', 0)]).execute();

      const announced: Delivery[] = [];
      await bus.consume({ topic: 'message.accepted', group: 'fleet', handler: async (d) => void announced.push(d) });
      const relay = startOutboxRelay({ db, bus, name: 'test', pollMs: 50 });
      const redrive = startRedrive(db, () => relay.kick(), { staleMs: 60_000 });
      await expect.poll(() => announced.map((d) => d.id), { timeout: 10_000 }).toEqual(['accepted:1001']);
      expect(announced[0]!.data).toMatchObject({ accountId: 'acc_1', messages: [{ messageId: '1001' }] });
      await redrive.flush();
      await relay.flush();
      // Not announced again until another stale period has passed.
      expect(announced).toHaveLength(1);
      await redrive.stop();
      await relay.stop();
    } finally {
      await bus.close();
      await database.close();
    }
  });
});
