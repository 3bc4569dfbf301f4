import type { common } from '@wagate/contracts';
import { StatusErrorCode } from '@wagate/errors';
import type { PolicyRule, Refusal } from './policy-rule.js';
import { batchTime, takeTokens } from './token-bucket.js';

export interface RecipientLimit {
  /** Messages an account may send one recipient per hour, on average. */
  perHour: number;
  /** Messages one recipient may get at once after a quiet spell; default `perHour`. */
  burst?: number;
}

/**
 * 2301 for messages to one recipient beyond the account's hourly limit — refused, like the
 * account rate, rather than held back: waiting for the next slot could take up to an hour,
 * longer than most messages are worth, and the tenant who is told "retry later" decides
 * whether the message still matters. One token bucket per (account, recipient), exact across
 * replicas; a batch locks its recipients' buckets in sorted order.
 */
export function recipientRateRule(limit: RecipientLimit): PolicyRule {
  const bucketLimit = { perSecond: limit.perHour / 3600, burst: limit.burst ?? limit.perHour };
  return {
    name: 'recipient-rate',
    errorCode: StatusErrorCode.TooManyMessages,
    async refuse(messages, { trx, accountId }) {
      const nowMs = batchTime(messages);
      const byRecipient = new Map<string, common.OutboundMessage[]>();
      for (const message of messages) {
        byRecipient.set(message.recipient, [...(byRecipient.get(message.recipient) ?? []), message]);
      }
      const refusals: Refusal[] = [];
      for (const recipient of [...byRecipient.keys()].sort()) {
        const sent = byRecipient.get(recipient)!;
        const admitted = await takeTokens(
          trx,
          `recipient:${accountId}:${recipient}`,
          bucketLimit,
          nowMs,
          sent.length,
        );
        for (const message of sent.slice(admitted)) {
          refusals.push({
            messageId: message.messageId,
            reason: `more than ${limit.perHour} messages an hour to ${recipient}; retry later`,
          });
        }
      }
      return refusals;
    },
  };
}
