import type { common, dispatch } from '@wagate/contracts';
import { pageOf, pageSize } from '@wagate/db';
import { DomainError, ErrorKey, MessageStatus } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { DispatchTables } from './db/tables.js';
import { readCursor } from './page-cursor.js';

const STATUSES: ReadonlySet<string> = new Set(Object.values(MessageStatus));
const INT8_MAX = 9_223_372_036_854_775_807n;

/**
 * One page of an account's messages, newest first. Ids are time-ordered, so "newest first" is
 * "highest id first", and the cursor is the last id of the page (served by the
 * (account_id, id desc) index). The cursor does not remember the filters: a client that changes
 * them mid-way continues below the same id with the new filters.
 *
 * An empty filter string means "no filter", like an absent one, so an empty query parameter
 * at the edge needs no special case.
 */
export async function listMessages(
  db: Kysely<DispatchTables>,
  request: dispatch.ListMessagesRequest,
): Promise<dispatch.ListMessagesResponse> {
  const size = pageSize(request.limit);
  const after = readCursor(request.cursor, isMessageKey);
  const status = given(request.status);
  if (status !== undefined && !STATUSES.has(status)) {
    throw new DomainError(
      ErrorKey.Invalid,
      `status "${status}" is not a message status; use one of ${[...STATUSES].join(', ')}`,
    );
  }
  const sender = given(request.sender);
  const recipient = given(request.recipient);
  const acceptedFrom = readTime('accepted_from_ms', request.acceptedFromMs);
  const acceptedTo = readTime('accepted_to_ms', request.acceptedToMs);

  const rows = await db
    .selectFrom('messages')
    .select(['id', 'payload', 'status', 'error_code', 'updated_at'])
    .where('account_id', '=', request.accountId)
    .$if(after !== undefined, (query) => query.where('id', '<', after![0]))
    .$if(sender !== undefined, (query) => query.where('sender', '=', sender!))
    .$if(recipient !== undefined, (query) => query.where('recipient', '=', recipient!))
    .$if(status !== undefined, (query) => query.where('status', '=', status!))
    .$if(acceptedFrom !== undefined, (query) => query.where('accepted_at', '>=', acceptedFrom!))
    .$if(acceptedTo !== undefined, (query) => query.where('accepted_at', '<', acceptedTo!))
    .orderBy('id', 'desc')
    .limit(size + 1)
    .execute();

  const page = pageOf(rows, size, (row) => [row.id]);
  return {
    messages: page.rows.map((row) => ({
      message: row.payload as unknown as common.OutboundMessage,
      status: row.status,
      errorCode: row.error_code,
      updatedAtMs: String(row.updated_at.getTime()),
    })),
    nextCursor: page.nextCursor,
  };
}

/** A message id: a non-negative bigint, so the key can never make the query itself fail. */
function isMessageKey(key: readonly string[]): key is readonly [string] {
  return key.length === 1 && /^\d{1,19}$/.test(key[0]!) && BigInt(key[0]!) <= INT8_MAX;
}

function given(filter: string | undefined): string | undefined {
  return filter === undefined || filter === '' ? undefined : filter;
}

function readTime(field: string, ms: string | undefined): Date | undefined {
  if (ms === undefined) return undefined;
  const time = new Date(Number(ms));
  if (!/^-?\d+$/.test(ms) || Number.isNaN(time.getTime())) {
    throw new DomainError(ErrorKey.Invalid, `${field} must be milliseconds since the epoch, got "${ms}"`);
  }
  return time;
}
