import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { BillingTables } from '../db/tables.js';

/** The ledger account money from outside comes from (a platform top-up) and goes back to. */
export const EXTERNAL_ACCOUNT = '@external';

export type LedgerEntryKind = 'charge' | 'transfer';

export interface Posting {
  accountId: string;
  /** Signed: negative leaves the account. */
  amountMinor: bigint;
}

/**
 * Writes one balanced transaction: its postings sum to zero (or it throws, writing nothing)
 * and each account's balance moves by exactly its postings, in the caller's database
 * transaction. The caller has locked the accounts' rows (in id order, as every writer does).
 */
export async function postTransaction(
  trx: Kysely<BillingTables>,
  transaction: { kind: LedgerEntryKind; messageId?: string; memo?: string; postings: readonly Posting[] },
): Promise<string> {
  const postings = transaction.postings.filter((posting) => posting.amountMinor !== 0n);
  const total = postings.reduce((sum, posting) => sum + posting.amountMinor, 0n);
  if (total !== 0n) throw new Error(`unbalanced ledger transaction: postings sum to ${total}`);
  const transactionId = randomUUID();
  if (postings.length === 0) return transactionId;
  await trx
    .insertInto('ledger_entries')
    .values(
      postings.map((posting) => ({
        transaction_id: transactionId,
        account_id: posting.accountId,
        amount_minor: String(posting.amountMinor),
        kind: transaction.kind,
        message_id: transaction.messageId ?? null,
        memo: transaction.memo ?? '',
      })),
    )
    .execute();
  const deltas = new Map<string, bigint>();
  for (const posting of postings) {
    if (posting.accountId === EXTERNAL_ACCOUNT) continue;
    deltas.set(posting.accountId, (deltas.get(posting.accountId) ?? 0n) + posting.amountMinor);
  }
  for (const [accountId, delta] of deltas) {
    if (delta === 0n) continue;
    await trx
      .updateTable('accounts')
      .set({ balance_minor: sql`balance_minor + ${String(delta)}::bigint` })
      .where('id', '=', accountId)
      .execute();
  }
  return transactionId;
}

/** Locks accounts' rows for a balance change, always in id order so writers never deadlock. */
export async function lockAccounts(trx: Kysely<BillingTables>, accountIds: Iterable<string>) {
  const ids = [...new Set(accountIds)].filter((id) => id !== EXTERNAL_ACCOUNT).sort();
  if (ids.length === 0) return [];
  return trx.selectFrom('accounts').selectAll().where('id', 'in', ids).orderBy('id').forUpdate().execute();
}
