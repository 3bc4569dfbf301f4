import type { MessageAcceptedEvent } from '@wagate/contracts';
import type { Kysely } from 'kysely';
import type { DispatchTables } from './db/tables.js';

/** A message as accepted, its current status and every status it went through. */
export interface MessageRecord {
  message: MessageAcceptedEvent;
  status: string;
  /** Oldest first. */
  history: StatusEntry[];
}

export interface StatusEntry {
  status: string;
  /** The callback code; 0 when none. */
  errorCode: number;
  at: Date;
  /** Who reported it (`device:…`, `dispatch`, …). */
  source: string;
  /** The policy rule that refused the message; empty when none did. */
  rule: string;
  /** Why, in words; empty when no reason was recorded. */
  reason: string;
}

/** One message of one account with its history; another account's message reads as missing (undefined). */
export async function getMessage(
  db: Kysely<DispatchTables>,
  request: { accountId: string; messageId: string },
): Promise<MessageRecord | undefined> {
  if (!/^\d{1,19}$/.test(request.messageId)) return undefined;
  const message = await db
    .selectFrom('messages')
    .select(['payload', 'status'])
    .where('id', '=', request.messageId)
    .where('account_id', '=', request.accountId)
    .executeTakeFirst();
  if (!message) return undefined;
  const history = await db
    .selectFrom('status_history')
    .select(['status', 'error_code', 'at', 'source', 'rule', 'reason'])
    .where('message_id', '=', request.messageId)
    .orderBy('at')
    .orderBy('recorded_at')
    .execute();
  return {
    message: message.payload as unknown as MessageAcceptedEvent,
    status: message.status,
    history: history.map((entry) => ({
      status: entry.status,
      errorCode: entry.error_code,
      at: entry.at,
      source: entry.source,
      rule: entry.rule ?? '',
      reason: entry.reason ?? '',
    })),
  };
}
