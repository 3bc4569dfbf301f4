import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { DispatchTables } from '../db/tables.js';

export interface RateLimit {
  /** Messages per second admitted on average. */
  perSecond: number;
  /** Messages admitted at once after a quiet spell. */
  burst: number;
}

/**
 * Takes up to `wanted` tokens from one bucket at `nowMs` and returns how many it got. The row is
 * locked for the caller's transaction, so every dispatch replica draws from the same bucket and
 * the limit holds exactly however many replicas accept. A batch that locks several buckets must
 * take them in one order (sorted by key) so two batches cannot deadlock.
 */
export async function takeTokens(
  trx: Kysely<DispatchTables>,
  bucket: string,
  limit: RateLimit,
  nowMs: number,
  wanted: number,
): Promise<number> {
  await trx
    .insertInto('rate_buckets')
    .values({ bucket, tokens: limit.burst, refilled_at_ms: String(nowMs) })
    .onConflict((conflict) => conflict.column('bucket').doNothing())
    .execute();
  const row = await trx
    .selectFrom('rate_buckets')
    .select(['tokens', 'refilled_at_ms'])
    .where('bucket', '=', bucket)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const lastMs = Number(row.refilled_at_ms);
  const elapsedMs = Math.max(0, nowMs - lastMs);
  const available = Math.min(limit.burst, Number(row.tokens) + (elapsedMs * limit.perSecond) / 1000);
  const taken = Math.min(wanted, Math.floor(available));
  await trx
    .updateTable('rate_buckets')
    .set({ tokens: sql`${available - taken}`, refilled_at_ms: String(Math.max(lastMs, nowMs)) })
    .where('bucket', '=', bucket)
    .execute();
  return taken;
}

/** The batch's clock: the latest acceptance time in it (the api stamps one per request). */
export const batchTime = (messages: readonly { acceptedAtMs: string }[]) =>
  Math.max(...messages.map((message) => Number(message.acceptedAtMs)));
