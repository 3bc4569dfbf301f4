import { type Kysely, sql } from 'kysely';
import type { DispatchTables } from '../db/tables.js';

export interface RateLimit {
  /** Messages per second admitted on average. */
  perSecond: number;
  /** Messages admitted at once after a quiet spell. */
  burst: number;
}

/**
 * Takes up to `wanted` tokens from each bucket at `nowMs` and returns how many each got, in
 * three statements whatever the number of buckets. The rows are locked for the caller's
 * transaction (in key order, so two batches cannot deadlock), so every dispatch replica draws
 * from the same buckets and the limits hold exactly however many replicas accept.
 */
export async function takeTokens(
  trx: Kysely<DispatchTables>,
  wanted: ReadonlyMap<string, number>,
  limit: RateLimit,
  nowMs: number,
): Promise<Map<string, number>> {
  const buckets = [...wanted.keys()].sort();
  if (buckets.length === 0) return new Map();
  await trx
    .insertInto('rate_buckets')
    .values(buckets.map((bucket) => ({ bucket, tokens: limit.burst, refilled_at_ms: String(nowMs) })))
    .onConflict((conflict) => conflict.column('bucket').doNothing())
    .execute();
  const rows = await trx
    .selectFrom('rate_buckets')
    .select(['bucket', 'tokens', 'refilled_at_ms'])
    .where('bucket', 'in', buckets)
    .orderBy('bucket')
    .forUpdate()
    .execute();
  const taken = new Map<string, number>();
  const tokensLeft: Record<string, number> = {};
  for (const row of rows) {
    const available = refilled(row, limit, nowMs);
    const got = Math.min(wanted.get(row.bucket) ?? 0, Math.floor(available));
    taken.set(row.bucket, got);
    tokensLeft[row.bucket] = available - got;
  }
  // Each row's new level, looked up by its key: one statement for every bucket of the batch.
  await trx
    .updateTable('rate_buckets')
    .set({
      tokens: sql`(${JSON.stringify(tokensLeft)}::jsonb ->> bucket)::double precision`,
      refilled_at_ms: sql`greatest(refilled_at_ms, ${nowMs}::bigint)`,
    })
    .where('bucket', 'in', buckets)
    .execute();
  return taken;
}

/**
 * The tokens a bucket holds at `nowMs`, without taking any (a bucket never used is full): what
 * the api reports in its `RateLimit` header after a batch.
 */
export async function tokensLeft(
  db: Kysely<DispatchTables>,
  bucket: string,
  limit: RateLimit,
  nowMs: number,
): Promise<number> {
  const row = await db
    .selectFrom('rate_buckets')
    .select(['tokens', 'refilled_at_ms'])
    .where('bucket', '=', bucket)
    .executeTakeFirst();
  return row ? refilled(row, limit, nowMs) : limit.burst;
}

/** A bucket's level at `nowMs`: what it held, plus what flowed in since, up to the burst. */
function refilled(
  row: { tokens: number | string; refilled_at_ms: string },
  limit: RateLimit,
  nowMs: number,
): number {
  const elapsedMs = Math.max(0, nowMs - Number(row.refilled_at_ms));
  return Math.min(limit.burst, Number(row.tokens) + (elapsedMs * limit.perSecond) / 1000);
}

/** The batch's clock: the latest acceptance time in it (the api stamps one per request). */
export const batchTime = (messages: readonly { acceptedAtMs: string }[]) =>
  Math.max(...messages.map((message) => Number(message.acceptedAtMs)));
