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
 * replicas; a whole batch takes its recipients' tokens in three statements.
 */
export function recipientRateRule(limit: RecipientLimit): PolicyRule {
  const bucketLimit = { perSecond: limit.perHour / 3600, burst: limit.burst ?? limit.perHour };
  return {
    name: 'recipient-rate',
    errorCode: StatusErrorCode.TooManyMessages,
    async refuse(messages, { trx, accountId }) {
      const bucketOf = (recipient: string) => `recipient:${accountId}:${recipient}`;
      const wanted = new Map<string, number>();
      for (const message of messages) {
        const bucket = bucketOf(message.recipient);
        wanted.set(bucket, (wanted.get(bucket) ?? 0) + 1);
      }
      const left = await takeTokens(trx, wanted, bucketLimit, batchTime(messages));
      const refusals: Refusal[] = [];
      for (const message of messages) {
        const bucket = bucketOf(message.recipient);
        const tokens = left.get(bucket) ?? 0;
        left.set(bucket, tokens - 1);
        if (tokens > 0) continue;
        refusals.push({
          messageId: message.messageId,
          reason: `more than ${limit.perHour} messages an hour to ${message.recipient}; retry later`,
        });
      }
      return refusals;
    },
  };
}
