import { eventId, type MessageStatusEvent, Topics } from '@wagate/contracts';
import { enqueueEvents } from '@wagate/outbox';
import { createLogger } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import type { DispatchTables } from './db/tables.js';
import { recordSenderOutcome } from './policy/failing-sender-rule.js';
import { isAdvance } from './status-order.js';
import { queueCallbacks } from './webhooks/queue-callbacks.js';
import { statusCallbackBody } from './webhooks/status-callback.js';
import { dispatchMetrics } from './metrics.js';

const log = createLogger('dispatch:status');

/**
 * Records one status event: its history entry, the message's current status, and the
 * status callback to deliver — in one transaction. A redelivered event finds its history
 * entry already there and changes nothing, so each status is applied and called back once.
 * Returns whether a callback was queued.
 */
export async function recordStatus(db: Kysely<DispatchTables>, event: MessageStatusEvent): Promise<boolean> {
  return db.transaction().execute((trx) => applyStatus(trx, event));
}

/** recordStatus inside the caller's transaction (accept uses it for messages that fail at once). */
export async function applyStatus(trx: Kysely<DispatchTables>, event: MessageStatusEvent): Promise<boolean> {
  // A message accepted without a callbackUrl reports to its account's status_url, as the
  // account has it set when the status arrives.
  const message = await trx
    .selectFrom('messages')
    .leftJoin('account_settings', 'account_settings.account_id', 'messages.account_id')
    .select((eb) => [
      'messages.account_id',
      'messages.sender',
      'messages.status',
      'messages.accepted_at',
      'messages.callback_data',
      eb.fn
        .coalesce(
          eb.fn<string | null>('nullif', ['messages.callback_url', eb.val('')]),
          'account_settings.status_url',
        )
        .as('callback_url'),
    ])
    .where('messages.id', '=', event.messageId)
    // Locks only the message: the settings row may change meanwhile, and FOR UPDATE cannot lock
    // the nullable side of an outer join anyway.
    .forUpdate(['messages'])
    .executeTakeFirst();
  if (!message) {
    log.warn({ messageId: event.messageId, status: event.status }, 'status for an unknown message ignored');
    return false;
  }
  const inserted = await trx
    .insertInto('status_history')
    .values({
      message_id: event.messageId,
      status: event.status,
      error_code: event.errorCode,
      at: new Date(event.atMs),
      source: event.source,
      rule: event.rule ?? null,
      reason: event.reason ?? null,
    })
    .onConflict((conflict) => conflict.columns(['message_id', 'status']).doNothing())
    .returning('message_id')
    .executeTakeFirst();
  if (!inserted) return false;
  await measureTransition(trx, event, message.accepted_at);
  await recordSenderOutcome(trx, event, message);
  if (isAdvance(message.status, event.status)) {
    await trx
      .updateTable('messages')
      .set({ status: event.status, error_code: event.errorCode, updated_at: new Date() })
      .where('id', '=', event.messageId)
      .execute();
  }
  if (!message.callback_url) return false;
  await queueCallbacks(trx, [
    {
      accountId: message.account_id,
      messageId: event.messageId,
      url: message.callback_url,
      body: statusCallbackBody({
        messageId: event.messageId,
        ts: event.atMs,
        status: event.status,
        errorCode: event.errorCode,
        options: message.callback_data,
      }),
    },
  ]);
  return true;
}

/**
 * Statuses dispatch decides itself (a policy refusal, an expiry): each is applied here at once
 * and announced as a `message.status` event, so billing settles the reservation. Dispatch hears
 * its own event back and finds the status already recorded. Returns whether a callback was queued.
 */
export async function applyAndAnnounceStatuses(
  trx: Kysely<DispatchTables>,
  events: readonly MessageStatusEvent[],
  headers: Record<string, string>,
): Promise<boolean> {
  let callbacksQueued = false;
  for (const event of events) callbacksQueued = (await applyStatus(trx, event)) || callbacksQueued;
  await enqueueEvents(
    trx,
    events.map((event) => ({
      topic: Topics.messageStatus,
      id: eventId.status(event.messageId, event.status),
      key: event.messageId,
      data: event,
      headers,
    })),
  );
  return callbacksQueued;
}

/** Counts the status once (its history row is new) and times the steps SRE dashboards show. */
async function measureTransition(
  trx: Kysely<DispatchTables>,
  event: MessageStatusEvent,
  acceptedAt: Date,
): Promise<void> {
  const metrics = dispatchMetrics();
  metrics.statusTransitions.add(1, { status: event.status, error_code: event.errorCode });
  if (event.status === 'SENT')
    metrics.acceptToSent.record(Math.max(0, (event.atMs - acceptedAt.getTime()) / 1000));
  if (event.status === 'DELIVERED') {
    const sent = await trx
      .selectFrom('status_history')
      .select('at')
      .where('message_id', '=', event.messageId)
      .where('status', '=', 'SENT')
      .executeTakeFirst();
    if (sent) metrics.sentToDelivered.record(Math.max(0, (event.atMs - sent.at.getTime()) / 1000));
  }
}
