import type { common, MessageInboundEvent } from '@wagate/contracts';
import { DomainError, ErrorKey } from '@wagate/errors';
import { databaseAdapters } from '@wagate/testkit';
import type { Kysely } from 'kysely';
import { describe, expect, test } from 'vitest';
import { acceptMessages } from '../src/accept.js';
import { setBlocklist } from '../src/blocklists/index.js';
import type { DispatchTables } from '../src/db/tables.js';
import { expireUnhandedMessages, UNHANDED_GRACE_MS } from '../src/expire-unhanded.js';
import { getMessage } from '../src/get-message.js';
import { addOptOuts, listOptOuts, removeOptOut } from '../src/opt-outs/index.js';
import { defaultRules, forgetOldCounts, type PolicySettings } from '../src/policy/index.js';
import { recordInbound } from '../src/record-inbound.js';
import { recordStatus } from '../src/record-status.js';
import { messageRow } from './support/message-rows.js';
import { withDispatchDb } from './support/dispatch-db.js';
import { outboundMessage, senderDirectory } from './support/outbound-messages.js';

const PLATFORM = 'acc_platform';
const RESELLER = 'acc_reseller';
const CUSTOMER = 'acc_customer';

const senders = senderDirectory();
let texts = 0;
/** A message with a text of its own (no duplicates) unless one is given. */
const message = (fields: Partial<common.OutboundMessage> & { acceptedAt?: number } = {}) =>
  outboundMessage({ accountId: CUSTOMER, text: `hello ${texts++}`, ...fields });

async function accept(
  db: Kysely<DispatchTables>,
  messages: common.OutboundMessage[],
  settings: PolicySettings = {},
  ancestorAccountIds = [PLATFORM, RESELLER],
) {
  await acceptMessages(
    db,
    senders,
    // The batch's account is its messages' (all of one account, as the api sends them).
    { accountId: messages[0]!.accountId, ancestorAccountIds, messages, failures: {} },
    defaultRules(settings),
  );
}

async function outcome(db: Kysely<DispatchTables>, messageId: string, accountId = CUSTOMER) {
  const found = await getMessage(db, { accountId, messageId });
  const last = found.history.at(-1)!;
  return { status: found.status, errorCode: last.errorCode, rule: last.rule, reason: last.reason };
}

const inbound = (from: string, text: string, key: string): MessageInboundEvent => ({
  accountId: CUSTOMER,
  deviceId: 'dev_1',
  deviceMessageKey: key,
  to: '79990000001',
  from,
  text,
  profileName: 'Ivan',
  atMs: Date.now(),
  sender: 'MyCompany',
});

describe.each(databaseAdapters())('spam policy on $name', (adapter) => {
  const withDb = (run: (db: Kysely<DispatchTables>) => Promise<void>) => withDispatchDb(adapter, run);

  test("fails with 2017 a message with a word or domain on its own or any ancestor's blocklist", async () => {
    await withDb(async (db) => {
      await setBlocklist(db, { accountId: PLATFORM, words: ['казино'], domains: [] });
      await setBlocklist(db, { accountId: RESELLER, words: [], domains: ['https://win.example/'] });
      await setBlocklist(db, { accountId: CUSTOMER, words: ['Free Money'], domains: [] });
      const platformWord = message({ text: 'Лучшее КАЗИНО города' });
      const resellerDomain = message({ text: 'Claim at www.win.example/prize' });
      const ownWord = message({ text: 'FREE   money inside' });
      const mediaUrl = message({ text: 'see attached', contentUrl: 'https://cdn.win.example/a.jpg' });
      const clean = message({ text: 'Your casino-free code: 1234, see winexample.com' });
      await accept(db, [platformWord, resellerDomain, ownWord, mediaUrl, clean]);

      expect(await outcome(db, platformWord.messageId)).toMatchObject({
        status: 'FAILED',
        errorCode: 2017,
        rule: 'blocked-content',
        reason: 'contains the blocked word "казино" (the blocklist of an account above this one)',
      });
      expect(await outcome(db, resellerDomain.messageId)).toMatchObject({
        errorCode: 2017,
        reason: expect.stringContaining('blocked domain "win.example"'),
      });
      expect((await outcome(db, ownWord.messageId)).reason).toBe(
        `contains the blocked word "Free Money" (this account's blocklist)`,
      );
      expect((await outcome(db, mediaUrl.messageId)).errorCode).toBe(2017);
      expect(await outcome(db, clean.messageId)).toMatchObject({ status: 'ACCEPTED', errorCode: 0 });

      // Another reseller's customer is not subject to this reseller's list.
      const elsewhere = message({ text: 'Claim at win.example' });
      await accept(db, [elsewhere], {}, [PLATFORM, 'acc_other_reseller']);
      expect((await outcome(db, elsewhere.messageId)).status).toBe('ACCEPTED');

      await expect(
        setBlocklist(db, { accountId: CUSTOMER, words: [], domains: ['not a domain'] }),
      ).rejects.toSatisfy((error) => error instanceof DomainError && error.key === ErrorKey.Invalid);
    });
  });

  test('a stop word from a recipient opts them out (2302) until they write START; the list is managed too', async () => {
    await withDb(async (db) => {
      await recordInbound(db, inbound('+7 903 111-22-33', 'Стоп!', 'in-1'));
      await recordInbound(db, inbound('79031112244', 'stop the music', 'in-2'));
      const toOptedOut = message({ recipient: '79031112233' });
      const toTalker = message({ recipient: '79031112244' });
      await accept(db, [toOptedOut, toTalker]);
      expect(await outcome(db, toOptedOut.messageId)).toMatchObject({
        status: 'FAILED',
        errorCode: 2302,
        rule: 'opt-out',
        reason: expect.stringMatching(
          /^79031112233 opted out of this account's messages by replying "СТОП" on /,
        ),
      });
      expect((await outcome(db, toTalker.messageId)).status).toBe('ACCEPTED');

      await recordInbound(db, inbound('79031112233', 'start', 'in-3'));
      const afterStart = message({ recipient: '79031112233' });
      await accept(db, [afterStart]);
      expect((await outcome(db, afterStart.messageId)).status).toBe('ACCEPTED');

      expect(
        await addOptOuts(db, { accountId: CUSTOMER, recipients: ['+7 (903) 555-00-01', '79035550002'] }),
      ).toEqual({
        added: 2,
      });
      expect((await addOptOuts(db, { accountId: CUSTOMER, recipients: ['79035550002'] })).added).toBe(0);
      const byApi = message({ recipient: '79035550001' });
      await accept(db, [byApi]);
      expect((await outcome(db, byApi.messageId)).reason).toContain('through the api');
      const first = await listOptOuts(db, { accountId: CUSTOMER, limit: 1, cursor: '' });
      const second = await listOptOuts(db, { accountId: CUSTOMER, limit: 1, cursor: first.nextCursor });
      expect([...first.optOuts, ...second.optOuts].map((o) => o.recipient).sort()).toEqual([
        '79035550001',
        '79035550002',
      ]);
      expect(second.nextCursor).toBe('');
      await removeOptOut(db, { accountId: CUSTOMER, recipient: '79035550001' });
      await expect(removeOptOut(db, { accountId: CUSTOMER, recipient: '79035550001' })).rejects.toSatisfy(
        (error) => error instanceof DomainError && error.key === ErrorKey.NotFound,
      );
      // Another account's list is its own.
      expect((await listOptOuts(db, { accountId: 'acc_else', limit: 0, cursor: '' })).optOuts).toEqual([]);
    });
  });

  test('refuses a sender whose recent device outcomes mostly failed (2001), and lets it recover', async () => {
    await withDb(async (db) => {
      const settings: PolicySettings = {
        failingSender: { lastOutcomes: 10, failedShare: 0.8, windowMs: 3_600_000 },
      };
      const t0 = Date.now() - 2 * 3_600_000;
      const earlier = Array.from({ length: 10 }, () => message({ acceptedAt: t0 }));
      await accept(db, earlier, settings);
      for (const [i, sent] of earlier.entries()) {
        // 8 of 10 fail on the device; policy refusals and other sources would not count.
        await recordStatus(db, {
          messageId: sent.messageId,
          accountId: CUSTOMER,
          status: i < 8 ? 'FAILED' : 'SENT',
          errorCode: i < 8 ? 2305 : 0,
          atMs: t0 + 1000 + i,
          source: 'device:dev_1',
        });
      }
      const during = message({ acceptedAt: t0 + 60_000 });
      await accept(db, [during], settings);
      expect(await outcome(db, during.messageId)).toMatchObject({
        status: 'FAILED',
        errorCode: 2001,
        rule: 'failing-sender',
        reason: `8 of sender "MyCompany"'s last 10 messages failed within 60 min; it may send again once it recovers`,
      });
      // The refusal itself is no outcome: an hour after the failures the sender may send again.
      const later = message({ acceptedAt: t0 + 3_600_000 + 2000 });
      await accept(db, [later], settings);
      expect((await outcome(db, later.messageId)).status).toBe('ACCEPTED');
    });
  });

  test('a young sender may send one text to at most N distinct recipients in the window (2001)', async () => {
    await withDb(async (db) => {
      const settings: PolicySettings = {
        youngSender: { youngForMs: 7 * 86_400_000, maxRecipients: 3, windowMs: 3_600_000 },
        duplicateWindowMs: 1,
      };
      const t0 = Date.now() - 60_000;
      const blast = ['79000000001', '79000000002', '79000000003', '79000000004'].map((recipient) =>
        message({ recipient, text: 'Big sale!', acceptedAt: t0 }),
      );
      await accept(db, blast, settings);
      const outcomes = await Promise.all(blast.map((m) => outcome(db, m.messageId)));
      expect(outcomes.map((o) => o.status)).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'FAILED']);
      expect(outcomes[3]).toMatchObject({ errorCode: 2001, rule: 'young-sender' });
      // A recipient already counted gets the text again; another text is counted on its own.
      const again = message({ recipient: '79000000001', text: 'Big sale!', acceptedAt: t0 + 1000 });
      const otherText = message({ recipient: '79000000005', text: 'Other news', acceptedAt: t0 + 1000 });
      await accept(db, [again, otherText], settings);
      expect((await outcome(db, again.messageId)).status).toBe('ACCEPTED');
      expect((await outcome(db, otherText.messageId)).status).toBe('ACCEPTED');

      // An account that first used the sender a month ago is not limited.
      const veteran = 'acc_veteran';
      await accept(db, [message({ accountId: veteran, acceptedAt: t0 - 30 * 86_400_000 })], settings);
      const blastFromVeteran = [1, 2, 3, 4].map((n) =>
        message({ accountId: veteran, recipient: `7900000010${n}`, text: 'Big sale!', acceptedAt: t0 }),
      );
      await accept(db, blastFromVeteran, settings);
      expect((await outcome(db, blastFromVeteran[3]!.messageId, veteran)).status).toBe('ACCEPTED');
    });
  });

  test('refuses messages to one recipient beyond the hourly limit with 2301, other recipients unaffected', async () => {
    await withDb(async (db) => {
      const settings: PolicySettings = { recipientRate: { perHour: 3 } };
      const t0 = Date.now() - 3_600_000;
      const toOne = Array.from({ length: 5 }, () => message({ recipient: '79001112233', acceptedAt: t0 }));
      const toOther = message({ recipient: '79001112299', acceptedAt: t0 });
      await accept(db, [...toOne, toOther], settings);
      const statuses = await Promise.all(toOne.map(async (m) => (await outcome(db, m.messageId)).status));
      expect(statuses).toEqual(['ACCEPTED', 'ACCEPTED', 'ACCEPTED', 'FAILED', 'FAILED']);
      expect(await outcome(db, toOne[3]!.messageId)).toMatchObject({
        errorCode: 2301,
        rule: 'recipient-rate',
        reason: 'more than 3 messages an hour to 79001112233; retry later',
      });
      expect((await outcome(db, toOther.messageId)).status).toBe('ACCEPTED');
      // 20 minutes later one more slot has refilled (3 an hour).
      const later = [1, 2].map(() => message({ recipient: '79001112233', acceptedAt: t0 + 20 * 60_000 }));
      await accept(db, later, settings);
      expect((await outcome(db, later[0]!.messageId)).status).toBe('ACCEPTED');
      expect((await outcome(db, later[1]!.messageId)).errorCode).toBe(2301);
    });
  });

  test('a message still not in fleet hands well past its validity expires with 2010', async () => {
    await withDb(async (db) => {
      const now = Date.now();
      const lost = messageRow({
        id: '7001',
        accountId: CUSTOMER,
        acceptedAt: new Date(now - 86_400_000 - UNHANDED_GRACE_MS - 1000),
      });
      const fresh = messageRow({ id: '7002', accountId: CUSTOMER, acceptedAt: new Date(now - 86_400_000) });
      await db.insertInto('messages').values([lost, fresh]).execute();
      await db.transaction().execute((trx) => expireUnhandedMessages(trx, 100, now));
      expect(await outcome(db, '7001')).toMatchObject({
        status: 'EXPIRED',
        errorCode: 2010,
        rule: 'validity',
      });
      expect((await getMessage(db, { accountId: CUSTOMER, messageId: '7002' })).status).toBe('ACCEPTED');
      const events = await db.selectFrom('outbox').select('event_id').execute();
      expect(events.map((e) => e.event_id)).toEqual([expect.stringContaining('7001')]);
    });
  });

  test('forgets counts no rule can read any more, keeping those within their windows', async () => {
    await withDb(async (db) => {
      const settings: PolicySettings = {
        recipientRate: { perHour: 3600 },
        youngSender: { youngForMs: 86_400_000, maxRecipients: 100, windowMs: 3_600_000 },
      };
      const now = Date.now();
      const old = now - 3 * 3_600_000;
      // An old batch and a fresh one, each leaving outcomes, fan-out rows, fingerprints and buckets.
      const sent = [
        message({ acceptedAt: old, text: 'same' }),
        message({ acceptedAt: now - 1000, text: 'same' }),
      ];
      for (const m of sent)
        await accept(db, [{ ...m, recipient: `7900${m.acceptedAtMs.slice(-7)}` }], settings);
      for (const m of sent) {
        await recordStatus(db, {
          messageId: m.messageId,
          accountId: CUSTOMER,
          status: 'SENT',
          errorCode: 0,
          atMs: Number(m.acceptedAtMs),
          source: 'device:dev_1',
        });
      }
      const sizes = async () => ({
        outcomes: (await db.selectFrom('sender_outcomes').selectAll().execute()).length,
        fanout: (await db.selectFrom('text_fanout').selectAll().where('recipient', '<>', '').execute())
          .length,
        fingerprints: (await db.selectFrom('duplicate_fingerprints').selectAll().execute()).length,
        buckets: (await db.selectFrom('rate_buckets').selectAll().execute()).length,
      });
      expect(await sizes()).toEqual({ outcomes: 2, fanout: 2, fingerprints: 2, buckets: 2 });
      await forgetOldCounts(db, settings, now);
      expect(await sizes()).toEqual({ outcomes: 1, fanout: 1, fingerprints: 1, buckets: 1 });
    });
  });
});
