import type { MessageInboundEvent, MessageAcceptedEvent } from '@wagate/contracts';
import { StatusErrorCode } from '@wagate/errors';
import { type Kysely, sql } from 'kysely';
import type { DispatchTables } from '../db/tables.js';
import { digitsOf } from '../phone-digits.js';

/** How long after a recipient's last message a business may write freely (WhatsApp's rule). */
export const CONVERSATION_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * Opens or extends the window of the inbound's sender and recipient, in the caller's
 * transaction. An older inbound arriving late never shortens it.
 */
export async function openConversationWindow(
  trx: Kysely<DispatchTables>,
  event: MessageInboundEvent,
): Promise<void> {
  // Events from before fleet named the sender cannot say which window they open.
  if (!event.sender) return;
  await trx
    .insertInto('conversation_windows')
    .values({
      account_id: event.accountId,
      sender: event.sender,
      recipient: digitsOf(event.from),
      last_inbound_at: new Date(event.atMs),
    })
    .onConflict((conflict) =>
      conflict.columns(['account_id', 'sender', 'recipient']).doUpdateSet({
        last_inbound_at: sql`greatest(conversation_windows.last_inbound_at, excluded.last_inbound_at)`,
      }),
    )
    .execute();
}

/**
 * The accept path's window check: for an account whose policy is `enforce`, each free-form
 * message (no template) to a recipient who has not written to that sender in the last 24 hours
 * fails with 2312. One query for the policy and one for the batch's windows.
 */
export async function outsideConversationWindow(
  db: Kysely<DispatchTables>,
  accountId: string,
  messages: readonly MessageAcceptedEvent[],
  now = Date.now(),
): Promise<Map<string, number>> {
  const failures = new Map<string, number>();
  const freeForm = messages.filter((message) => !message.templateId);
  if (freeForm.length === 0 || (await conversationWindowMode(db, accountId)) !== 'enforce') return failures;
  const open = await db
    .selectFrom('conversation_windows')
    .select(['sender', 'recipient'])
    .where('account_id', '=', accountId)
    .where('recipient', 'in', [...new Set(freeForm.map((message) => message.recipient))])
    .where('last_inbound_at', '>', new Date(now - CONVERSATION_WINDOW_MS))
    .execute();
  const openPairs = new Set(open.map((row) => `${row.sender}\u0000${row.recipient}`));
  for (const message of freeForm) {
    if (!openPairs.has(`${message.sender}\u0000${message.recipient}`)) {
      failures.set(message.messageId, StatusErrorCode.OutsideConversationWindow);
    }
  }
  return failures;
}

export async function conversationWindowMode(
  db: Kysely<DispatchTables>,
  accountId: string,
): Promise<'enforce' | 'off'> {
  const row = await db
    .selectFrom('conversation_window_policies')
    .select('mode')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row?.mode ?? 'off';
}
