import { StatusErrorCode } from '@wagate/errors';
import { sql } from 'kysely';
import type { PolicyRule } from './policy-rule.js';

export interface RateLimit {
  /** Messages per second admitted on average. */
  perSecond: number;
  /** Messages admitted at once after a quiet spell. */
  burst: number;
}

/**
 * 2301, refused rather than queued: an account over its rate is told to retry later (the
 * code's own meaning), so a runaway client cannot build an unbounded queue behind it. A token
 * bucket per account lives in one row, locked for the transaction, so every dispatch replica
 * draws from the same bucket: the limit is exact however many replicas accept. The clock is the
 * messages' acceptance time, which the api stamps once per request.
 */
export function accountRateRule(limit: RateLimit): PolicyRule {
  return {
    name: 'account-rate',
    errorCode: StatusErrorCode.TooManyMessages,
    async refuse(messages, { trx, accountId }) {
      const nowMs = Math.max(...messages.map((message) => Number(message.acceptedAtMs)));
      await trx
        .insertInto('rate_buckets')
        .values({ bucket: `account:${accountId}`, tokens: limit.burst, refilled_at_ms: String(nowMs) })
        .onConflict((conflict) => conflict.column('bucket').doNothing())
        .execute();
      const bucket = await trx
        .selectFrom('rate_buckets')
        .select(['tokens', 'refilled_at_ms'])
        .where('bucket', '=', `account:${accountId}`)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const lastMs = Number(bucket.refilled_at_ms);
      const elapsedMs = Math.max(0, nowMs - lastMs);
      const available = Math.min(limit.burst, Number(bucket.tokens) + (elapsedMs * limit.perSecond) / 1000);
      const admitted = Math.min(messages.length, Math.floor(available));
      await trx
        .updateTable('rate_buckets')
        .set({ tokens: sql`${available - admitted}`, refilled_at_ms: String(Math.max(lastMs, nowMs)) })
        .where('bucket', '=', `account:${accountId}`)
        .execute();
      return messages.slice(admitted).map((message) => ({
        messageId: message.messageId,
        reason: `the account sends more than ${limit.perSecond} messages per second (burst ${limit.burst}); retry later`,
      }));
    },
  };
}
