import type { dispatch } from '@wagate/contracts';
import { decodeCursor, InvalidCursorError, pageOf, pageSize } from '@wagate/db';
import { DomainError, ErrorKey } from '@wagate/errors';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { CallbacksTable, DispatchTables } from '../db/tables.js';

export const SETTLED_UNDELIVERED = ['failed', 'dead'] as const;

/** Queued again as if new: due now, and its 3-day window restarts. */
export const requeued = () => ({
  state: 'pending' as const,
  attempts: 0,
  next_attempt_at: sql<Date>`now()`,
  created_at: sql<Date>`now()`,
  lease_until: null,
});
const INT8_MAX = 9_223_372_036_854_775_807n;

/** One page of the account's callbacks that will not be retried any more, newest first. */
export async function listFailedCallbacks(
  db: Kysely<DispatchTables>,
  request: dispatch.ListFailedCallbacksRequest,
): Promise<dispatch.ListFailedCallbacksResponse> {
  const size = pageSize(request.limit);
  let after: readonly [string] | undefined;
  try {
    after = decodeCursor(request.cursor, isCallbackKey);
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new DomainError(ErrorKey.Invalid, error.message);
    throw error;
  }
  const rows = await db
    .selectFrom('callbacks')
    .selectAll()
    .where('account_id', '=', request.accountId)
    .where('state', 'in', SETTLED_UNDELIVERED)
    .$if(after !== undefined, (query) => query.where('id', '<', after![0]))
    .orderBy('id', 'desc')
    .limit(size + 1)
    .execute();
  const page = pageOf(rows, size, (row) => [row.id]);
  return { callbacks: page.rows.map(toFailedCallback), nextCursor: page.nextCursor };
}

/** A message's callbacks are one per status: far fewer than this. */
const MESSAGE_CALLBACKS_LIMIT = 100;

/** Every callback of one message of the account, oldest first, in any state. */
export async function listMessageCallbacks(
  db: Kysely<DispatchTables>,
  request: dispatch.ListMessageCallbacksRequest,
): Promise<dispatch.ListMessageCallbacksResponse> {
  if (!/^\d{1,19}$/.test(request.messageId) || BigInt(request.messageId) > INT8_MAX) return { callbacks: [] };
  const rows = await db
    .selectFrom('callbacks')
    .selectAll()
    .where('message_id', '=', request.messageId)
    .where('account_id', '=', request.accountId)
    .orderBy('id', 'asc')
    .limit(MESSAGE_CALLBACKS_LIMIT)
    .execute();
  return {
    callbacks: rows.map((row) => ({
      webhookId: `cb_${row.id}`,
      url: row.url,
      state: row.state,
      attempts: row.attempts,
      lastError: row.last_error ?? '',
      createdAtMs: String(row.created_at.getTime()),
      ...(row.delivered_at ? { deliveredAtMs: String(row.delivered_at.getTime()) } : {}),
      ...(row.state === 'pending' ? { nextAttemptAtMs: String(row.next_attempt_at.getTime()) } : {}),
      body: row.body,
    })),
  };
}

/**
 * Queues a failed or dead callback again as if it were new (its 3-day window restarts), with
 * the same webhook-id and body, so a receiver that did get it once dedupes it.
 */
export async function replayCallback(
  db: Kysely<DispatchTables>,
  request: dispatch.ReplayCallbackRequest,
): Promise<dispatch.ReplayCallbackResponse> {
  const id = /^cb_(\d{1,19})$/.exec(request.webhookId)?.[1];
  const notFound = new DomainError(ErrorKey.NotFound, `no failed callback ${request.webhookId}`);
  if (id === undefined || BigInt(id) > INT8_MAX) throw notFound;
  const row = await db
    .updateTable('callbacks')
    .set(requeued())
    .where('id', '=', id)
    .where('account_id', '=', request.accountId)
    .where('state', 'in', SETTLED_UNDELIVERED)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound;
  return { callback: toFailedCallback(row) };
}

function toFailedCallback(row: Selectable<CallbacksTable>): dispatch.FailedCallback {
  return {
    webhookId: `cb_${row.id}`,
    messageId: row.message_id,
    url: row.url,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error ?? '',
    createdAtMs: String(row.created_at.getTime()),
    body: row.body,
  };
}

function isCallbackKey(key: readonly string[]): key is readonly [string] {
  return key.length === 1 && /^\d{1,19}$/.test(key[0]!) && BigInt(key[0]!) <= INT8_MAX;
}
