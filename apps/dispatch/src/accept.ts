import type { PublishInput } from '@wagate/bus';
import { type common, conversationKey, eventId, type MessageStatusEvent, Topics } from '@wagate/contracts';
import type { dispatch } from '@wagate/contracts';
import { ErrorKey } from '@wagate/errors';
import { enqueueEvents } from '@wagate/outbox';
import { traceHeaders } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import { outsideConversationWindow } from './conversation-window/index.js';
import type { DispatchTables } from './db/tables.js';
import { failedAtAcceptEvent } from './fail-at-accept.js';
import { applyStatus } from './record-status.js';
import { accountRateState } from './policy/account-rate-rule.js';
import { evaluatePolicy, type PolicyRule, recordRefusals } from './policy/index.js';
import { batchTime, type RateLimit } from './policy/token-bucket.js';
import type { SenderDirectory } from './sender-directory.js';

/** An AcceptRequest; callers inside dispatch (tests, the bench) may leave out the ancestors. */
export type AcceptInput = Omit<dispatch.AcceptRequest, 'ancestorAccountIds'> & {
  ancestorAccountIds?: string[];
};

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
): Promise<dispatch.AcceptResponse> {
  const response = await acceptBatch(db, senders, request, rules);
  if (!accountRate || request.messages.length === 0) return response;
  // Read after the batch's transaction: what the account may still send, for the api's RateLimit header.
  const nowMs = batchTime(request.messages);
  return { ...response, accountRate: await accountRateState(db, request.accountId, accountRate, nowMs) };
}

async function acceptBatch(
  db: Kysely<DispatchTables>,
  senders: SenderDirectory,
  request: AcceptInput,
  rules: readonly PolicyRule[],
): Promise<dispatch.AcceptResponse> {
  const available = await senders.available(
    request.accountId,
    request.messages.map((message) => message.sender),
  );
  const accepted: common.OutboundMessage[] = [];
  const results: dispatch.AcceptResult[] = request.messages.map((message) => {
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
  if (accepted.length === 0) return { results };
  const failures = new Map(Object.entries(request.failures));
  for (const [messageId, code] of await outsideConversationWindow(db, request.accountId, accepted)) {
    if (!failures.has(messageId)) failures.set(messageId, code);
  }

  const headers = traceHeaders();
  await db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('messages')
      .values(
        accepted.map((message) => ({
          id: message.messageId,
          account_id: request.accountId,
          sender: message.sender,
          recipient: message.recipient,
          payload: JSON.stringify(message),
          status: 'ACCEPTED',
          error_code: 0,
          callback_url: message.callbackUrl ?? null,
          callback_data: message.callbackData ?? null,
          accepted_at: new Date(Number(message.acceptedAtMs)),
          updated_at: new Date(),
          redriven_at: null,
        })),
      )
      .onConflict((conflict) => conflict.column('id').doNothing())
      .returning('id')
      .execute();
    const fresh = new Set(inserted.map((row) => row.id));
    const newMessages = accepted.filter((message) => fresh.has(message.messageId));
    if (newMessages.length === 0) return;
    await trx
      .insertInto('status_history')
      .values(
        newMessages.map((message) => ({
          message_id: message.messageId,
          status: 'ACCEPTED',
          error_code: 0,
          at: new Date(Number(message.acceptedAtMs)),
          source: 'api',
        })),
      )
      .execute();
    // Messages that already fail (rendering, the window) are not put to the policy rules.
    const candidates = newMessages.filter((message) => !failures.has(message.messageId));
    const decisions = await evaluatePolicy(rules, candidates, {
      trx,
      accountId: request.accountId,
      ancestorAccountIds: request.ancestorAccountIds ?? [],
      senders: available,
    });
    await recordRefusals(trx, request.accountId, decisions, candidates);
    const refused = new Set(decisions.map((decision) => decision.messageId));
    const events = newMessages
      .filter((message) => !refused.has(message.messageId))
      .map((message) => {
        const failure = failures.get(message.messageId);
        return failure === undefined
          ? acceptedEvent(request.accountId, message, headers)
          : failedAtAcceptEvent(
              request.accountId,
              message.messageId,
              failure,
              Number(message.acceptedAtMs),
              headers,
            );
      });
    for (const event of events) {
      if (event.topic === Topics.messageStatus) await applyStatus(trx, event.data as MessageStatusEvent);
    }
    await enqueueEvents(trx, events);
  });
  return { results };
}

/** The event that hands a message to fleet; announcing it twice is harmless (same event id). */
export function acceptedEvent(
  accountId: string,
  message: common.OutboundMessage,
  headers: Record<string, string>,
): PublishInput {
  return {
    topic: Topics.messageAccepted,
    id: eventId.accepted(message.messageId),
    key: conversationKey(accountId, message.sender, message.recipient),
    data: { ...message, accountId },
    headers,
  };
}
