import type { PublishInput } from '@wagate/bus';
import { type common, conversationKey, eventId, Topics } from '@wagate/contracts';
import type { dispatch } from '@wagate/contracts';
import { RequestErrorKey } from '@wagate/errors';
import { enqueueEvents } from '@wagate/outbox';
import { traceHeaders } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import type { DispatchTables } from './db/tables.js';
import { evaluatePolicy, type PolicyRule, recordRefusals } from './policy/index.js';
import type { SenderDirectory } from './sender-directory.js';

/**
 * Accepts a batch in one transaction: every accepted message, its ACCEPTED history entry and
 * its `message.accepted` event are written together, so none is lost between the database
 * and the bus. A retried call with the same ids changes nothing (inserts are idempotent).
 * Dispatch policy runs in the same transaction: a message a rule refuses is still accepted
 * (it has an id and a history) but fails at once with the rule's code instead of going out.
 */
export async function acceptMessages(
  db: Kysely<DispatchTables>,
  senders: SenderDirectory,
  request: dispatch.AcceptRequest,
  rules: readonly PolicyRule[] = [],
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
          key: RequestErrorKey.NotAvailable,
          ref: 'from',
          description: `sender "${message.sender}" is not available to this account`,
        },
      };
    }
    accepted.push(message);
    return { messageId: message.messageId, accepted: true };
  });
  if (accepted.length === 0) return { results };

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
    const decisions = await evaluatePolicy(rules, newMessages, {
      trx,
      accountId: request.accountId,
      senders: available,
    });
    await recordRefusals(trx, request.accountId, decisions, newMessages);
    const refused = new Set(decisions.map((decision) => decision.messageId));
    const admitted = newMessages.filter((message) => !refused.has(message.messageId));
    if (admitted.length === 0) return;
    await enqueueEvents(
      trx,
      admitted.map((message) => acceptedEvent(request.accountId, message, headers)),
    );
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
