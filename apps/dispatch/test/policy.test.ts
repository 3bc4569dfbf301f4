import type { common } from '@wagate/contracts';
import { databaseAdapters } from '@wagate/testkit';
import type { Kysely } from 'kysely';
import { describe, expect, test } from 'vitest';
import { acceptMessages } from '../src/accept.js';
import type { DispatchTables } from '../src/db/tables.js';
import { getMessage } from '../src/get-message.js';
import { defaultRules } from '../src/policy/index.js';
import { withDispatchDb } from './support/dispatch-db.js';
import { outboundMessage, senderDirectory } from './support/outbound-messages.js';

const ACCOUNT = 'acc_policy';
const OWN_NUMBER = '79990000001';

const senders = senderDirectory([OWN_NUMBER]);
const message = outboundMessage;

async function accept(db: Kysely<DispatchTables>, rulesWindowMs: number, messages: common.OutboundMessage[]) {
  const rules = defaultRules({ duplicateWindowMs: rulesWindowMs });
  return acceptMessages(db, senders, { accountId: ACCOUNT, messages, failures: {} }, rules);
}

async function outcome(db: Kysely<DispatchTables>, messageId: string) {
  const found = (await getMessage(db, { accountId: ACCOUNT, messageId }))!;
  const last = found.history.at(-1)!;
  return {
    status: found.status,
    errorCode: last.errorCode,
    rule: last.rule,
    reason: last.reason,
    source: last.source,
  };
}

async function outboxEvents(db: Kysely<DispatchTables>) {
  return (await db.selectFrom('outbox').select('event_id').orderBy('seq').execute()).map(
    (row) => row.event_id,
  );
}

describe.each(databaseAdapters())('dispatch policy on $name', (adapter) => {
  const withDb = (run: (db: Kysely<DispatchTables>) => Promise<void>) => withDispatchDb(adapter, run);

  test('fails a duplicate within the window with 2009, naming the rule and the earlier message', async () => {
    await withDb(async (db) => {
      const t0 = Date.now() - 120_000;
      const first = message({ acceptedAt: t0 });
      const again = message({ acceptedAt: t0 + 59_000 });
      const otherText = message({ acceptedAt: t0 + 59_000, text: 'Code: 5678' });
      const otherRecipient = message({ acceptedAt: t0 + 59_000, recipient: '79034567891' });
      const afterWindow = message({ acceptedAt: t0 + 60_000 });
      await accept(db, 60_000, [first]);
      await accept(db, 60_000, [again, otherText, otherRecipient]);
      await accept(db, 60_000, [afterWindow]);

      expect(await outcome(db, first.messageId)).toMatchObject({
        status: 'ACCEPTED',
        errorCode: 0,
        rule: '',
      });
      expect(await outcome(db, again.messageId)).toMatchObject({
        status: 'FAILED',
        errorCode: 2009,
        rule: 'duplicate',
        source: 'policy',
      });
      expect((await outcome(db, again.messageId)).reason).toContain(first.messageId);
      for (const passed of [otherText, otherRecipient, afterWindow]) {
        expect(await outcome(db, passed.messageId)).toMatchObject({ status: 'ACCEPTED', errorCode: 0 });
      }
      // The refused message is not handed to fleet; billing hears it failed and releases its funds.
      const events = await outboxEvents(db);
      expect(events).not.toContain(`accepted:${again.messageId}`);
      expect(events).toContain(`status:${again.messageId}:FAILED`);
      expect(events).toContain(`accepted:${afterWindow.messageId}`);
    });
  });

  test('keeps the first of two identical messages in one batch and a retried accept unchanged', async () => {
    await withDb(async (db) => {
      const first = message();
      const twin = message();
      await accept(db, 60_000, [first, twin]);
      // The api retrying the same call (same ids) must not turn the first into a duplicate of itself.
      await accept(db, 60_000, [first, twin]);
      expect(await outcome(db, first.messageId)).toMatchObject({ status: 'ACCEPTED' });
      expect(await outcome(db, twin.messageId)).toMatchObject({ status: 'FAILED', errorCode: 2009 });
    });
  });

  test('lets exactly one of the same message through when replicas accept it at once', async () => {
    await withDb(async (db) => {
      const copies = Array.from({ length: 8 }, () => message({ text: 'race' }));
      await Promise.all(copies.map((copy) => accept(db, 60_000, [copy])));
      const outcomes = await Promise.all(copies.map((copy) => outcome(db, copy.messageId)));
      expect(outcomes.filter((o) => o.status === 'ACCEPTED')).toHaveLength(1);
      expect(outcomes.filter((o) => o.errorCode === 2009)).toHaveLength(7);
    });
  });

  test("fails a message to one of the sender's own numbers with 2307", async () => {
    await withDb(async (db) => {
      const toItself = message({ recipient: OWN_NUMBER });
      const response = await accept(db, 60_000, [toItself]);
      // Accepted (it has an id and a history), then failed by policy: the callback carries the code.
      expect(response.results[0]).toMatchObject({ accepted: true });
      expect(await outcome(db, toItself.messageId)).toMatchObject({
        status: 'FAILED',
        errorCode: 2307,
        rule: 'self-send',
      });
    });
  });
});
