import { StatusErrorCode } from '@wagate/errors';
import { databaseAdapters } from '@wagate/testkit';
import type { Kysely } from 'kysely';
import { describe, expect, test } from 'vitest';
import { type AcceptCall, acceptCalls } from '../src/accept.js';
import type { DispatchTables } from '../src/db/tables.js';
import { getMessage } from '../src/get-message.js';
import { defaultRules } from '../src/policy/index.js';
import { withDispatchDb } from './support/dispatch-db.js';
import { outboundMessage, senderDirectory } from './support/outbound-messages.js';

const ACCOUNT = 'acc_policy';
const senders = senderDirectory();
const rules = defaultRules({ duplicateWindowMs: 60_000 });

/** A call as the gRPC handler makes it, under the trace `traceId`. */
function call(
  messages: ReturnType<typeof outboundMessage>[],
  traceId: string,
  accountId = ACCOUNT,
): AcceptCall {
  return {
    request: { accountId, messages: messages.map((m) => ({ ...m, accountId })), failures: {} },
    traceHeaders: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
  };
}

const trace = (digit: string) => digit.repeat(32);

async function lastHistory(db: Kysely<DispatchTables>, accountId: string, messageId: string) {
  const found = await getMessage(db, { accountId, messageId });
  const last = found.history.at(-1)!;
  return { status: found.status, errorCode: last.errorCode, rule: last.rule };
}

describe.each(databaseAdapters())('accepting several calls in one transaction on $name', (adapter) => {
  const withDb = (run: (db: Kysely<DispatchTables>) => Promise<void>) => withDispatchDb(adapter, run);

  test("the policy sees one account's calls as one batch in call order: a repeat in a later call is a duplicate (2009)", async () => {
    await withDb(async (db) => {
      const first = outboundMessage({ text: 'Code: 1111' });
      const repeat = outboundMessage({ text: 'Code: 1111' });
      const other = outboundMessage({ text: 'Code: 2222' });
      const { responses } = await acceptCalls(
        db,
        senders,
        [call([first], trace('a')), call([repeat, other], trace('b'))],
        rules,
      );
      expect(responses.map((r) => r.results.map((result) => result.accepted))).toEqual([
        [true],
        [true, true],
      ]);
      expect(await lastHistory(db, ACCOUNT, first.messageId)).toMatchObject({ status: 'ACCEPTED' });
      expect(await lastHistory(db, ACCOUNT, repeat.messageId)).toMatchObject({
        status: 'FAILED',
        errorCode: StatusErrorCode.Duplicate,
        rule: 'duplicate',
      });
      expect(await lastHistory(db, ACCOUNT, other.messageId)).toMatchObject({ status: 'ACCEPTED' });
    });
  });

  test("another account's identical message in the same group is not its duplicate", async () => {
    await withDb(async (db) => {
      const mine = outboundMessage({ text: 'Code: 3333' });
      const theirs = outboundMessage({ text: 'Code: 3333' });
      await acceptCalls(
        db,
        senders,
        [call([mine], trace('a')), call([theirs], trace('b'), 'acc_other')],
        rules,
      );
      expect(await lastHistory(db, ACCOUNT, mine.messageId)).toMatchObject({ status: 'ACCEPTED' });
      expect(await lastHistory(db, 'acc_other', theirs.messageId)).toMatchObject({ status: 'ACCEPTED' });
    });
  });

  test('a message id brought by two calls of a group (a retry racing its original) is one message, announced once', async () => {
    await withDb(async (db) => {
      const message = outboundMessage({ text: 'Code: 4444' });
      const { responses } = await acceptCalls(
        db,
        senders,
        [call([message], trace('a')), call([message], trace('b'))],
        rules,
      );
      expect(responses.map((r) => r.results)).toEqual([
        [{ messageId: message.messageId, accepted: true }],
        [{ messageId: message.messageId, accepted: true }],
      ]);
      const found = await getMessage(db, { accountId: ACCOUNT, messageId: message.messageId });
      // Not refused as its own duplicate, and written once.
      expect(found.history.map((h) => h.status)).toEqual(['ACCEPTED']);
      const events = await db.selectFrom('outbox').select('event_id').execute();
      expect(events).toEqual([{ event_id: `accepted:${message.messageId}` }]);
    });
  });

  test("each message's event carries the trace of its own call, so one message is followed through one trace", async () => {
    await withDb(async (db) => {
      const a = outboundMessage({ text: 'Code: 5555' });
      const b = outboundMessage({ text: 'Code: 6666' });
      await acceptCalls(db, senders, [call([a], trace('a')), call([b], trace('b'))], rules);
      const rows = await db.selectFrom('outbox').select(['event_id', 'headers']).execute();
      const traceOf = new Map(
        rows.map((row) => [row.event_id, (row.headers as Record<string, string>).traceparent]),
      );
      expect(traceOf.get(`accepted:${a.messageId}`)).toContain(trace('a'));
      expect(traceOf.get(`accepted:${b.messageId}`)).toContain(trace('b'));
    });
  });
});
