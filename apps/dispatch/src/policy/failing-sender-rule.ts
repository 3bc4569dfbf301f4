import type { MessageStatusEvent } from '@wagate/contracts';
import { MessageStatus, StatusErrorCode } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { DispatchTables } from '../db/tables.js';
import type { PolicyRule } from './policy-rule.js';
import { batchTime } from './token-bucket.js';

export interface FailingSenderLimit {
  /** How many of the sender's latest outcomes are looked at. Default 50. */
  lastOutcomes: number;
  /** The share of those that failed at which new messages are refused. Default 0.8. */
  failedShare: number;
  /** Outcomes older than this are forgotten, so a sender recovers. Default 1 hour. */
  windowMs: number;
}

export const DEFAULT_FAILING_SENDER: FailingSenderLimit = {
  lastOutcomes: 50,
  failedShare: 0.8,
  windowMs: 3_600_000,
};

/**
 * Keeps the first outcome a device reports for a message — SENT counts as a success, FAILED as
 * a failure — for the failing-sender rule. Refusals (policy), messages that never reached a
 * device and expiries (nobody tried) say nothing of how recipients take the sender, so only
 * device reports count. In the status's transaction, once per message.
 */
export async function recordSenderOutcome(
  trx: Kysely<DispatchTables>,
  event: MessageStatusEvent,
  message: { account_id: string; sender: string },
): Promise<void> {
  if (!event.source.startsWith('device:')) return;
  if (event.status !== MessageStatus.Sent && event.status !== MessageStatus.Failed) return;
  await trx
    .insertInto('sender_outcomes')
    .values({
      message_id: event.messageId,
      account_id: message.account_id,
      sender: message.sender,
      failed: event.status === MessageStatus.Failed,
      at: new Date(event.atMs),
    })
    .onConflict((conflict) => conflict.column('message_id').doNothing())
    .execute();
}

/**
 * 2001: a sender most of whose recent messages fail — at least `failedShare` of its last
 * `lastOutcomes` device outcomes within `windowMs` — is sending to lists that do not want it.
 * New messages are refused until it recovers: its messages still in flight succeed, or the
 * failures age out of the window (nothing new is sent meanwhile, so the window is the cool-down).
 */
export function failingSenderRule(limit: FailingSenderLimit): PolicyRule {
  const failuresToRefuse = Math.ceil(limit.failedShare * limit.lastOutcomes);
  return {
    name: 'failing-sender',
    errorCode: StatusErrorCode.Spam,
    async refuse(messages, { trx, accountId }) {
      const since = new Date(batchTime(messages) - limit.windowMs);
      const failing = new Map<string, number>();
      for (const sender of new Set(messages.map((message) => message.sender))) {
        const recent = await trx
          .selectFrom('sender_outcomes')
          .select('failed')
          .where('account_id', '=', accountId)
          .where('sender', '=', sender)
          .where('at', '>', since)
          .orderBy('at', 'desc')
          .limit(limit.lastOutcomes)
          .execute();
        const failed = recent.filter((row) => row.failed).length;
        if (failed >= failuresToRefuse) failing.set(sender, failed);
      }
      if (failing.size === 0) return [];
      return messages.flatMap((message) => {
        const failed = failing.get(message.sender);
        if (failed === undefined) return [];
        return [
          {
            messageId: message.messageId,
            reason: `${failed} of sender "${message.sender}"'s last ${limit.lastOutcomes} messages failed within ${limit.windowMs / 60_000} min; it may send again once it recovers`,
          },
        ];
      });
    },
  };
}
