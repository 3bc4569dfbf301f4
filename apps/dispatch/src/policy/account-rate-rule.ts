import { StatusErrorCode } from '@wagate/errors';
import type { PolicyRule } from './policy-rule.js';
import type { Kysely } from 'kysely';
import type { DispatchTables } from '../db/tables.js';
import { batchTime, type RateLimit, takeTokens, tokensLeft } from './token-bucket.js';

export type { RateLimit } from './token-bucket.js';

/** The account's bucket: its rate, its burst and the tokens left now (the api's `RateLimit` headers). */
export interface AccountRateState {
  perSecond: number;
  burst: number;
  remaining: number;
}

/**
 * 2301, refused rather than queued: an account over its rate is told to retry later (the
 * code's own meaning), so a runaway client cannot build an unbounded queue behind it. One token
 * bucket per account (token-bucket.ts: exact across replicas); the clock is the messages'
 * acceptance time, which the api stamps once per request.
 */
export function accountRateRule(limit: RateLimit): PolicyRule {
  return {
    name: 'account-rate',
    errorCode: StatusErrorCode.TooManyMessages,
    async refuse(messages, { trx, accountId }) {
      const bucket = accountBucket(accountId);
      const taken = await takeTokens(trx, new Map([[bucket, messages.length]]), limit, batchTime(messages));
      const admitted = taken.get(bucket) ?? 0;
      return messages.slice(admitted).map((message) => ({
        messageId: message.messageId,
        reason: `the account sends more than ${limit.perSecond} messages per second (burst ${limit.burst}); retry later`,
      }));
    },
  };
}

const accountBucket = (accountId: string) => `account:${accountId}`;

/** The account's bucket at `nowMs`, as Accept reports it (the api's `RateLimit` headers). */
export async function accountRateState(
  db: Kysely<DispatchTables>,
  accountId: string,
  limit: RateLimit,
  nowMs: number,
): Promise<AccountRateState> {
  return {
    perSecond: limit.perSecond,
    burst: limit.burst,
    remaining: await tokensLeft(db, accountBucket(accountId), limit, nowMs),
  };
}
