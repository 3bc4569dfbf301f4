import type { MessagesAcceptedEvent } from '@wagate/contracts';
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
  const found = (await getMessage(db, { accountId, messageId }))!;
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
      const found = (await getMessage(db, { accountId: ACCOUNT, messageId: message.messageId }))!;
      // Not refused as its own duplicate, and written once.
      expect(found.history.map((h) => h.status)).toEqual(['ACCEPTED']);
      const events = await db.selectFrom('outbox').select('event_id').execute();
      expect(events).toEqual([{ event_id: `accepted:${message.messageId}` }]);
    });
  });

  test("an account's messages of a group go to fleet in one event, each with the trace of its own call", async () => {
    await withDb(async (db) => {
      const a = outboundMessage({ text: 'Code: 5555' });
      const b = outboundMessage({ text: 'Code: 6666' });
      const theirs = outboundMessage({ text: 'Code: 7777' });
      await acceptCalls(
        db,
        senders,
        [call([a], trace('a')), call([theirs], trace('c'), 'acc_other'), call([b], trace('b'))],
        rules,
      );
      const events = await announced(db);
      expect(events.map((event) => event.data.accountId)).toEqual([ACCOUNT, 'acc_other']);
      // Each its own key: fleet works on an account's events side by side (and keeps their order).
      expect(events.map((event) => event.key)).toEqual(events.map((event) => event.event_id));
      const [mine, other] = events.map((event) => event.data);
      expect(mine!.messages.map((m) => [m.messageId, m.trace.traceparent])).toEqual([
        [a.messageId, expect.stringContaining(trace('a'))],
        [b.messageId, expect.stringContaining(trace('b'))],
      ]);
      expect(mine!.messages.every((m) => m.accountId === ACCOUNT)).toBe(true);
      expect(other!.messages.map((m) => m.messageId)).toEqual([theirs.messageId]);
      // The event's own delivery continues the first send's trace.
      expect(events[0]!.headers.traceparent).toContain(trace('a'));
    });
  });

  test('a large group is split into events of about 64 KiB at most, keeping the order', async () => {
    await withDb(async (db) => {
      // 100 texts of 4 096 characters that JSON escapes to six bytes each: 2.4 MB of messages.
      const messages = Array.from({ length: 100 }, (_, i) =>
        outboundMessage({ text: `${i} ${'\u0001'.repeat(4_000)}` }),
      );
      await acceptCalls(db, senders, [call(messages, trace('d'))], []);
      const events = await announced(db);
      expect(events.length).toBeGreaterThan(30);
      for (const event of events) expect(Buffer.byteLength(JSON.stringify(event.data))).toBeLessThan(70_000);
      expect(events.flatMap((event) => event.data.messages.map((m) => m.messageId))).toEqual(
        messages.map((m) => m.messageId),
      );
      expect(new Set(events.map((event) => event.event_id)).size).toBe(events.length);
    });
  });
});

/** The `message.accepted` events of the outbox, oldest first. */
async function announced(db: Kysely<DispatchTables>) {
  const rows = await db
    .selectFrom('outbox')
    .select(['event_id', 'key', 'data', 'headers'])
    .where('topic', '=', 'message.accepted')
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({
    ...row,
    data: row.data as MessagesAcceptedEvent,
    headers: row.headers as Record<string, string>,
  }));
}
