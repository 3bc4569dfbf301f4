import type { dispatch } from '@wagate/contracts';
import { DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { DispatchTables } from '../db/tables.js';

const MODES: ReadonlySet<string> = new Set(['enforce', 'off']);

/** The account's policy; one that never set it is `off` (devices may open conversations). */
export async function getConversationWindowPolicy(
  db: Kysely<DispatchTables>,
  request: dispatch.GetConversationWindowPolicyRequest,
): Promise<dispatch.ConversationWindowPolicy> {
  const row = await db
    .selectFrom('conversation_window_policies')
    .selectAll()
    .where('account_id', '=', request.accountId)
    .executeTakeFirst();
  return {
    accountId: request.accountId,
    mode: row?.mode ?? 'off',
    updatedAtMs: String(row?.updated_at.getTime() ?? 0),
  };
}

export async function setConversationWindowPolicy(
  db: Kysely<DispatchTables>,
  request: dispatch.SetConversationWindowPolicyRequest,
): Promise<dispatch.ConversationWindowPolicy> {
  if (request.accountId === '') throw new DomainError(ErrorKey.Invalid, 'account_id is required');
  if (!MODES.has(request.mode)) {
    throw new DomainError(ErrorKey.Invalid, `mode must be "enforce" or "off", not "${request.mode}"`);
  }
  const values = {
    account_id: request.accountId,
    mode: request.mode as 'enforce' | 'off',
    updated_at: new Date(),
  };
  const row = await db
    .insertInto('conversation_window_policies')
    .values(values)
    .onConflict((conflict) =>
      conflict.column('account_id').doUpdateSet({ mode: values.mode, updated_at: values.updated_at }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return { accountId: row.account_id, mode: row.mode, updatedAtMs: String(row.updated_at.getTime()) };
}
