import type { dispatch } from '@wagate/contracts';
import { DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { DispatchTables } from './db/tables.js';

/** At most this many ids per call: billing's sweeper asks in batches. */
export const MAX_FIND_MESSAGES = 1_000;

/**
 * Which of these message ids dispatch holds, in any status and of any account (an internal
 * call: billing asks it before releasing a reservation whose message may never have arrived).
 */
export async function findMessages(
  db: Kysely<DispatchTables>,
  request: dispatch.FindMessagesRequest,
): Promise<dispatch.FindMessagesResponse> {
  if (request.messageIds.length > MAX_FIND_MESSAGES) {
    throw new DomainError(ErrorKey.Invalid, `ask for at most ${MAX_FIND_MESSAGES} ids at a time`);
  }
  const ids = request.messageIds.filter((id) => /^\d{1,19}$/.test(id));
  if (ids.length === 0) return { foundMessageIds: [] };
  const found = await db.selectFrom('messages').select('id').where('id', 'in', ids).execute();
  return { foundMessageIds: found.map((row) => String(row.id)) };
}
