import type { MessageStatusEvent, MessageAcceptedEvent } from '@wagate/contracts';
import { MessageStatus } from '@wagate/errors';
import { traceHeaders } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import type { DispatchTables } from '../db/tables.js';
import { applyAndAnnounceStatuses } from '../record-status.js';
import type { PolicyDecision } from './policy-rule.js';

/**
 * A refused message fails in the accept transaction: its FAILED history entry names the rule
 * and the reason, its callback is queued, and a `message.status` event tells billing to release
 * the reservation.
 */
export async function recordRefusals(
  trx: Kysely<DispatchTables>,
  accountId: string,
  decisions: PolicyDecision[],
  messages: MessageAcceptedEvent[],
): Promise<boolean> {
  if (decisions.length === 0) return false;
  const now = Date.now();
  const acceptedAt = new Map(messages.map((message) => [message.messageId, Number(message.acceptedAtMs)]));
  const events: MessageStatusEvent[] = decisions.map((decision) => ({
    messageId: decision.messageId,
    accountId,
    status: MessageStatus.Failed,
    errorCode: decision.errorCode,
    // Never before its ACCEPTED entry, even when the api's clock runs ahead of this one.
    atMs: Math.max(now, acceptedAt.get(decision.messageId) ?? now),
    source: 'policy',
    rule: decision.rule,
    reason: decision.reason,
  }));
  return applyAndAnnounceStatuses(trx, events, traceHeaders());
}
