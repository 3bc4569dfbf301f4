import type { PublishInput } from '@wagate/bus';
import {
  type AcceptedForSending,
  eventId,
  type MessageAcceptedEvent,
  type MessagesAcceptedEvent,
  type MessageStatusEvent,
  Topics,
} from '@wagate/contracts';
import { ErrorKey } from '@wagate/errors';
import { enqueueEvents } from '@wagate/outbox';
import { contextFromHeaders, inSpan, traceHeaders } from '@wagate/telemetry';
import { type Kysely, sql } from 'kysely';
import { outsideConversationWindow } from './conversation-window/index.js';
import type { DispatchTables } from './db/tables.js';
import { failedAtAcceptEvent } from './fail-at-accept.js';
import { applyStatus } from './record-status.js';
import { type AccountRateState, accountRateState } from './policy/account-rate-rule.js';
import { evaluatePolicy, type PolicyRule, recordRefusals } from './policy/index.js';
import { batchTime, type RateLimit } from './policy/token-bucket.js';
import type { ResolvedSender, SenderDirectory } from './sender-directory.js';

/**
 * One Accept call in dispatch's terms (the gRPC request has this shape, so grpc/ passes it on);
 * callers inside dispatch (tests, the bench) may leave out the ancestors.
 */
export interface AcceptInput {
  accountId: string;
  messages: MessageAcceptedEvent[];
  /** Message id → the code it fails with at once (rendering's 2308–2311, from the api). */
  failures: Record<string, number>;
  /** The accounts above this one, root first: their blocklists apply too. */
  ancestorAccountIds?: string[];
}

/** What became of one message of a call: accepted, or refused at request time with its reason. */
export interface AcceptOutcome {
  messageId: string;
  accepted: boolean;
  rejection?: { key: string; ref: string; description: string };
}

/** A call's answer: one outcome per message in request order, and the account's bucket when its limit is on. */
export interface AcceptAnswer {
  results: AcceptOutcome[];
  accountRate?: AccountRateState;
}

/** One Accept call and the trace it belongs to (its events carry it to fleet and beyond). */
export interface AcceptCall {
  request: AcceptInput;
  traceHeaders: Record<string, string>;
}

/**
 * Accepts a batch in one transaction: every accepted message, its ACCEPTED history entry and
 * its `message.accepted` event are written together, so none is lost between the database
 * and the bus. A retried call with the same ids changes nothing (inserts are idempotent).
 * A message that must fail instead of being sent (`request.failures` from rendering, or the
 * conversation window) gets its FAILED status in the same transaction — so redrive never hands
 * it to fleet — and its status event takes the place of `message.accepted`.
 * Dispatch policy runs in the same transaction on the rest: a message a rule refuses is still
 * accepted (it has an id and a history) but fails at once with the rule's code and reason.
 * With `accountRate` (the account limit is on), the answer also says what the account's bucket
 * holds after the batch.
 */
export async function acceptMessages(
  db: Kysely<DispatchTables>,
  senders: SenderDirectory,
  request: AcceptInput,
  rules: readonly PolicyRule[] = [],
  accountRate?: RateLimit,
): Promise<AcceptAnswer> {
  const { responses } = await acceptCalls(
    db,
    senders,
    [{ request, traceHeaders: traceHeaders() }],
    rules,
    accountRate,
  );
  return responses[0]!;
}

/**
 * `acceptMessages` for several calls at once (a group commit: `createGroupCommit` in @wagate/db), of any
 * accounts, in ONE transaction with one statement per table for all of them; the policy rules
 * run once per account over the messages of all its calls, as if they were one batch in call
 * order. Each call gets the answer it would have had alone. A message id that two calls of the
 * group both bring is the same message: the first call's copy is the one inserted.
 * `failedAtOnce` counts the messages that failed in the transaction (their callbacks are queued).
 */
export async function acceptCalls(
  db: Kysely<DispatchTables>,
  senders: SenderDirectory,
  calls: readonly AcceptCall[],
  rules: readonly PolicyRule[] = [],
  accountRate?: RateLimit,
): Promise<{ responses: AcceptAnswer[]; failedAtOnce: number }> {
  const prepared = await Promise.all(calls.map((call) => availableSenders(senders, call)));
  await failOutsideConversationWindow(db, prepared);
  const accepted = prepared.flatMap((call) => call.accepted.map((message) => ({ message, call })));
  let failedAtOnce = 0;
  if (accepted.length > 0) {
    failedAtOnce = await inSpan(
      'dispatch.accept.commit',
      {
        // In the first call's trace (a group may be started from the end of another's), linked to the others'.
        parent: contextFromHeaders(calls[0]!.traceHeaders),
        attributes: { 'wagate.accept.calls': calls.length, 'wagate.accept.messages': accepted.length },
        links: calls.slice(1).map((call) => call.traceHeaders),
      },
      () => db.transaction().execute((trx) => writeAccepted(trx, accepted, rules)),
    );
  }
  const responses: AcceptAnswer[] = prepared.map((call) => ({ results: call.results }));
  if (!accountRate) return { responses, failedAtOnce };
  // Read after the transaction: what each account may still send, for the api's RateLimit header.
  const buckets = new Map<string, Promise<AccountRateState>>();
  const withBuckets = await Promise.all(
    prepared.map(async ({ request }, i) => {
      if (request.messages.length === 0) return responses[i]!;
      const nowMs = batchTime(request.messages);
      let bucket = buckets.get(request.accountId);
      if (!bucket) {
        bucket = accountRateState(db, request.accountId, accountRate, nowMs);
        buckets.set(request.accountId, bucket);
      }
      return { ...responses[i]!, accountRate: await bucket };
    }),
  );
  return { responses: withBuckets, failedAtOnce };
}

interface PreparedCall extends AcceptCall {
  available: Map<string, ResolvedSender>;
  results: AcceptOutcome[];
  /** The messages whose sender is available to the account, in request order. */
  accepted: MessageAcceptedEvent[];
  /** Messages that fail at once, with their code: rendering (from the api) and the conversation window. */
  failures: Map<string, number>;
}

/** A message whose sender the account may not use is refused at request time (not.available). */
async function availableSenders(senders: SenderDirectory, call: AcceptCall): Promise<PreparedCall> {
  const { request } = call;
  const available = await senders.available(
    request.accountId,
    request.messages.map((message) => message.sender),
  );
  const accepted: MessageAcceptedEvent[] = [];
  const results: AcceptOutcome[] = request.messages.map((message) => {
    if (!available.get(message.sender)?.available) {
      return {
        messageId: message.messageId,
        accepted: false,
        rejection: {
          key: ErrorKey.NotAvailable,
          ref: 'from',
          description: `sender "${message.sender}" is not available to this account`,
        },
      };
    }
    accepted.push(message);
    return { messageId: message.messageId, accepted: true };
  });
  return { ...call, available, results, accepted, failures: new Map(Object.entries(request.failures)) };
}

/** The conversation-window check (2312), once per account of the group. */
async function failOutsideConversationWindow(
  db: Kysely<DispatchTables>,
  calls: PreparedCall[],
): Promise<void> {
  for (const [accountId, ofAccount] of Map.groupBy(calls, (call) => call.request.accountId)) {
    const messages = ofAccount.flatMap((call) => call.accepted);
    if (messages.length === 0) continue;
    const outside = await outsideConversationWindow(db, accountId, messages);
    if (outside.size === 0) continue;
    for (const call of ofAccount) {
      for (const message of call.accepted) {
        const code = outside.get(message.messageId);
        if (code !== undefined && !call.failures.has(message.messageId))
          call.failures.set(message.messageId, code);
      }
    }
  }
}

async function writeAccepted(
  trx: Kysely<DispatchTables>,
  accepted: ReadonlyArray<{ message: MessageAcceptedEvent; call: PreparedCall }>,
  rules: readonly PolicyRule[],
): Promise<number> {
  // The same id twice in a group (a retry racing its original) is one message: the first copy counts.
  const claimed = new Set<string>();
  const rows = accepted.filter(
    ({ message }) => !claimed.has(message.messageId) && claimed.add(message.messageId),
  );
  const updatedAt = new Date();
  // One statement: the messages, and an ACCEPTED history entry for each one not already there
  // (a retried call's messages exist and get none). What it returns is the group's new messages.
  const inserted = await trx
    .with('new_messages', (db) =>
      db
        .insertInto('messages')
        .values(
          rows.map(({ message, call }) => ({
            id: message.messageId,
            account_id: call.request.accountId,
            sender: message.sender,
            recipient: message.recipient,
            payload: JSON.stringify(message),
            status: 'ACCEPTED',
            error_code: 0,
            callback_url: message.callbackUrl ?? null,
            callback_data: message.callbackData ?? null,
            accepted_at: new Date(Number(message.acceptedAtMs)),
            updated_at: updatedAt,
            redriven_at: null,
          })),
        )
        .onConflict((conflict) => conflict.column('id').doNothing())
        .returning(['id', 'accepted_at']),
    )
    .insertInto('status_history')
    .columns(['message_id', 'status', 'error_code', 'at', 'source'])
    .expression((eb) =>
      eb
        .selectFrom('new_messages')
        .select([
          'new_messages.id',
          sql.lit('ACCEPTED').as('status'),
          sql.lit(0).as('error_code'),
          'new_messages.accepted_at',
          sql.lit('api').as('source'),
        ]),
    )
    .returning('message_id')
    .execute();
  const fresh = new Set(inserted.map((row) => row.message_id));
  const newRows = rows.filter(({ message }) => fresh.has(message.messageId));
  if (newRows.length === 0) return 0;

  // The rules see each account's new messages of the whole group as one batch, in call order.
  // Messages that already fail (rendering, the window) are not put to them.
  const refused = new Set<string>();
  const byAccount = Map.groupBy(
    newRows,
    ({ call }) => `${call.request.accountId}\u0000${(call.request.ancestorAccountIds ?? []).join(',')}`,
  );
  for (const ofAccount of byAccount.values()) {
    const { request } = ofAccount[0]!.call;
    const candidates = ofAccount
      .filter(({ message, call }) => !call.failures.has(message.messageId))
      .map(({ message }) => message);
    const decisions = await evaluatePolicy(rules, candidates, {
      trx,
      accountId: request.accountId,
      ancestorAccountIds: request.ancestorAccountIds ?? [],
      senders: new Map(ofAccount.flatMap(({ call }) => [...call.available])),
    });
    await recordRefusals(trx, request.accountId, decisions, candidates);
    for (const decision of decisions) refused.add(decision.messageId);
  }

  // What fails at once gets its FAILED status now and a status event; the rest goes to fleet
  // in one `message.accepted` event per account (split when large), in acceptance order.
  const failed: PublishInput[] = [];
  const toSend: Array<{ message: MessageAcceptedEvent; call: PreparedCall }> = [];
  for (const row of newRows) {
    const { message, call } = row;
    if (refused.has(message.messageId)) continue;
    const failure = call.failures.get(message.messageId);
    if (failure === undefined) toSend.push(row);
    else
      failed.push(
        failedAtAcceptEvent(
          call.request.accountId,
          message.messageId,
          failure,
          Number(message.acceptedAtMs),
          call.traceHeaders,
        ),
      );
  }
  for (const event of failed) await applyStatus(trx, event.data as MessageStatusEvent);
  const announced = [...Map.groupBy(toSend, ({ call }) => call.request.accountId)].flatMap(
    ([accountId, ofAccount]) =>
      acceptedEvents(
        accountId,
        ofAccount.map(({ message, call }) => ({ message, trace: call.traceHeaders })),
      ),
  );
  await enqueueEvents(trx, [...failed, ...announced]);
  return refused.size + failed.length;
}

/**
 * An event carries at most this many messages and about this many bytes of them: far inside
 * NATS' default 1 MB payload limit even when every message is a 4 096-character text, and small
 * enough that the outbox relay's batch of 500 events stays a few tens of megabytes at worst (it
 * holds a batch in memory while it publishes it). An OTP batch of 100 messages is about 45 KB.
 */
const EVENT_MAX_MESSAGES = 500;
const EVENT_MAX_BYTES = 64 * 1024;

/**
 * The events that hand an account's messages to fleet, in the order given, split by the
 * bounds above. Announcing a batch twice is harmless: the same messages make the same event id,
 * and fleet queues a job once per message whatever the event.
 */
export function acceptedEvents(
  accountId: string,
  messages: ReadonlyArray<{ message: MessageAcceptedEvent; trace: Record<string, string> }>,
): PublishInput[] {
  const events: PublishInput[] = [];
  let batch: AcceptedForSending[] = [];
  let bytes = 0;
  const close = () => {
    if (batch.length === 0) return;
    const data: MessagesAcceptedEvent = { accountId, messages: batch };
    const id = eventId.accepted(batch.map((message) => message.messageId));
    events.push({
      topic: Topics.messageAccepted,
      id,
      // Its own key: fleet handles an account's events side by side and keeps their order itself.
      key: id,
      data,
      // The batch's delivery continues the first send's trace; each message carries its own.
      headers: batch[0]!.trace,
    });
    batch = [];
    bytes = 0;
  };
  for (const { message, trace } of messages) {
    const entry: AcceptedForSending = { ...message, accountId, trace };
    const size = Buffer.byteLength(JSON.stringify(entry));
    if (batch.length === EVENT_MAX_MESSAGES || (batch.length > 0 && bytes + size > EVENT_MAX_BYTES)) close();
    batch.push(entry);
    bytes += size;
  }
  close();
  return events;
}
