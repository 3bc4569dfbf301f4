import { migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/testkit';
import { describe, expect, test } from 'vitest';
import {
  CONVERSATION_WINDOW_MS,
  openConversationWindow,
  outsideConversationWindow,
  setConversationWindowPolicy,
} from '../src/conversation-window/index.js';
import { dispatchMigrations } from '../src/db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';

const outbound = (messageId: string, recipient: string, templateId?: string) => ({
  messageId,
  accountId: 'acc_1',
  sender: 'MyCompany',
  recipient,
  text: 'hi',
  templateParams: {},
  validitySeconds: 0,
  acceptedAtMs: '0',
  ...(templateId ? { templateId } : {}),
});

describe.each(databaseAdapters())('conversation window on $name', (adapter) => {
  test('lasts 24 hours from the latest inbound of that recipient to that sender', async () => {
    const database = await adapter.open();
    try {
      await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
      const db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);
      const wroteAt = Date.parse('2026-03-01T12:00:00Z');
      const inbound = (atMs: number, sender = 'MyCompany') => ({
        accountId: 'acc_1',
        deviceId: 'dev_1',
        deviceMessageKey: String(atMs),
        to: '79990000000',
        sender,
        from: '+7 903 456-78-90',
        text: 'hello',
        profileName: '',
        atMs,
      });
      await openConversationWindow(db, inbound(wroteAt));
      // A late report of an older message does not shorten the window; another sender's does not open it.
      await openConversationWindow(db, inbound(wroteAt - 3_600_000));
      await openConversationWindow(db, inbound(wroteAt + 10 * 3_600_000, 'OtherSender'));
      await setConversationWindowPolicy(db, { accountId: 'acc_1', mode: 'enforce' });

      const batch = [outbound('1', '79034567890'), outbound('2', '79030000000'), outbound('3', '79030000000', 'tpl_1')];
      const inside = await outsideConversationWindow(db, 'acc_1', batch, wroteAt + CONVERSATION_WINDOW_MS - 1);
      expect([...inside]).toEqual([['2', 2312]]);
      const after = await outsideConversationWindow(db, 'acc_1', batch, wroteAt + CONVERSATION_WINDOW_MS + 1);
      expect([...after]).toEqual([
        ['1', 2312],
        ['2', 2312],
      ]);
      // Another account's policy is its own: off by default.
      expect([...(await outsideConversationWindow(db, 'acc_2', batch, wroteAt))]).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
