import type { MessageStatusEvent } from '@wagate/contracts';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { ErrorKey } from '@wagate/errors';
import { startCallbackReceiver } from '@wagate/testkit';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dispatchMigrations } from '../src/db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';
import { recordStatus } from '../src/record-status.js';
import { startCallbackWorker } from '../src/webhooks/callback-worker.js';
import { embeddedSecretKeys } from '../src/webhooks/secret-keys.js';
import { webhookSecrets } from '../src/webhooks/webhook-secrets.js';
import { getWebhookSettings, setWebhookSettings } from '../src/webhooks/webhook-settings.js';
import { messageRow } from './support/message-rows.js';

const sent = (messageId: string, accountId: string): MessageStatusEvent => ({
  messageId,
  accountId,
  status: 'SENT',
  errorCode: 0,
  atMs: Date.now(),
  source: 'device:dev_test',
});

describe.each(databaseAdapters())('webhook settings on $name', (adapter) => {
  let database: Database;
  let db: Kysely<DispatchTables>;

  beforeAll(async () => {
    database = await adapter.open();
    await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
    db = withSchema<DispatchTables>(database, DISPATCH_SCHEMA);
  });

  afterAll(async () => {
    await database?.close();
  });

  async function queuedCallbackUrls(messageId: string): Promise<string[]> {
    const rows = await db.selectFrom('callbacks').select('url').where('message_id', '=', messageId).execute();
    return rows.map((row) => row.url);
  }

  test('an account that never set anything reads empty URLs updated at 0', async () => {
    expect(await getWebhookSettings(db, { accountId: 'acc_fresh' })).toEqual({
      settings: { accountId: 'acc_fresh', incomingUrl: '', statusUrl: '', updatedAtMs: '0' },
    });
  });

  test('settings round-trip exactly as set, per account, and an empty URL clears one', async () => {
    const set = await setWebhookSettings(db, {
      accountId: 'acc_round',
      incomingUrl: 'https://hooks.example.com/in?token=a%20b',
      statusUrl: 'http://127.0.0.1:8080/status',
    });
    expect(set.settings).toMatchObject({
      accountId: 'acc_round',
      incomingUrl: 'https://hooks.example.com/in?token=a%20b',
      statusUrl: 'http://127.0.0.1:8080/status',
    });
    expect(Number(set.settings!.updatedAtMs)).toBeGreaterThan(0);
    expect(await getWebhookSettings(db, { accountId: 'acc_round' })).toEqual(set);
    expect((await getWebhookSettings(db, { accountId: 'acc_other' })).settings?.statusUrl).toBe('');

    await setWebhookSettings(db, {
      accountId: 'acc_round',
      incomingUrl: '',
      statusUrl: 'https://hooks.example.com/s',
    });
    expect((await getWebhookSettings(db, { accountId: 'acc_round' })).settings).toMatchObject({
      incomingUrl: '',
      statusUrl: 'https://hooks.example.com/s',
    });
  });

  test.each([
    ['a relative URL', 'hooks/status'],
    ['a path', '/status'],
    ['a host without scheme', 'example.com/status'],
    ['another scheme', 'ftp://example.com/status'],
    ['a javascript URL', 'javascript:alert(1)'],
    ['surrounding spaces', ' https://example.com/status'],
    ['an over-long URL', `https://example.com/${'a'.repeat(2100)}`],
  ])('%s is INVALID_ARGUMENT and changes nothing', async (_, url) => {
    await setWebhookSettings(db, {
      accountId: 'acc_valid',
      incomingUrl: '',
      statusUrl: 'https://ok.example.com/',
    });
    await expect(
      setWebhookSettings(db, { accountId: 'acc_valid', incomingUrl: '', statusUrl: url }),
    ).rejects.toMatchObject({
      key: ErrorKey.Invalid,
      message: expect.stringContaining('status_url'),
    });
    await expect(
      setWebhookSettings(db, { accountId: 'acc_valid', incomingUrl: url, statusUrl: '' }),
    ).rejects.toMatchObject({
      key: ErrorKey.Invalid,
      message: expect.stringContaining('incoming_url'),
    });
    expect((await getWebhookSettings(db, { accountId: 'acc_valid' })).settings?.statusUrl).toBe(
      'https://ok.example.com/',
    );
  });

  test('a status of a message without callbackUrl is called back to the account status_url', async () => {
    const receiver = await startCallbackReceiver();
    const worker = startCallbackWorker(db, {
      pollMs: 100,
      allowLoopback: true,
      secrets: webhookSecrets(db, embeddedSecretKeys(undefined)),
    });
    try {
      await setWebhookSettings(db, {
        accountId: 'acc_fallback',
        incomingUrl: '',
        statusUrl: `${receiver.url}/status`,
      });
      await db
        .insertInto('messages')
        .values([
          messageRow({ id: '2001', accountId: 'acc_fallback' }),
          messageRow({ id: '2002', accountId: 'acc_fallback', callbackUrl: `${receiver.url}/own` }),
          messageRow({ id: '2003', accountId: 'acc_no_settings' }),
        ])
        .execute();

      expect(await recordStatus(db, sent('2001', 'acc_fallback'))).toBe(true);
      expect(await queuedCallbackUrls('2001')).toEqual([`${receiver.url}/status`]);
      // The message's own callbackUrl still wins over the account's.
      expect(await recordStatus(db, sent('2002', 'acc_fallback'))).toBe(true);
      expect(await queuedCallbackUrls('2002')).toEqual([`${receiver.url}/own`]);
      // Neither set: nothing to call.
      expect(await recordStatus(db, sent('2003', 'acc_no_settings'))).toBe(false);
      expect(await queuedCallbackUrls('2003')).toEqual([]);

      worker.kick();
      const received = await receiver.waitFor(2, 30_000);
      const byMessage = new Map(
        received.map((r) => [(r.body as Array<{ messageId: number }>)[0]!.messageId, r]),
      );
      expect(byMessage.get(2001)?.body).toEqual([expect.objectContaining({ status: 'SENT', options: '' })]);
      expect(byMessage.get(2002)).toBeDefined();
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });

  test('clearing status_url stops the fallback for statuses recorded afterwards', async () => {
    await setWebhookSettings(db, {
      accountId: 'acc_cleared',
      incomingUrl: '',
      statusUrl: 'https://hooks.example.com/s',
    });
    await db
      .insertInto('messages')
      .values(messageRow({ id: '3001', accountId: 'acc_cleared' }))
      .execute();
    await setWebhookSettings(db, { accountId: 'acc_cleared', incomingUrl: '', statusUrl: '' });
    expect(await recordStatus(db, sent('3001', 'acc_cleared'))).toBe(false);
    expect(await queuedCallbackUrls('3001')).toEqual([]);
  });
});
