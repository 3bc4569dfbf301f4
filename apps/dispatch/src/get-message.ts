import type { common, dispatch } from '@wagate/contracts';
import type { Kysely } from 'kysely';
import type { DispatchTables } from './db/tables.js';

/** One message of one account with its history; another account's message reads as missing. */
export async function getMessage(
  db: Kysely<DispatchTables>,
  request: dispatch.GetMessageRequest,
): Promise<dispatch.GetMessageResponse> {
  if (!/^\d{1,19}$/.test(request.messageId)) return { found: false, status: '', history: [] };
  const message = await db
    .selectFrom('messages')
    .select(['payload', 'status'])
    .where('id', '=', request.messageId)
    .where('account_id', '=', request.accountId)
    .executeTakeFirst();
  if (!message) return { found: false, status: '', history: [] };
  const history = await db
    .selectFrom('status_history')
    .select(['status', 'error_code', 'at', 'source', 'rule', 'reason'])
    .where('message_id', '=', request.messageId)
    .orderBy('at')
    .orderBy('recorded_at')
    .execute();
  return {
    found: true,
    message: message.payload as unknown as common.OutboundMessage,
    status: message.status,
    history: history.map((entry) => ({
      status: entry.status,
      errorCode: entry.error_code,
      atMs: String(entry.at.getTime()),
      source: entry.source,
      rule: entry.rule ?? '',
      reason: entry.reason ?? '',
    })),
  };
}
