import { type Kysely, sql } from 'kysely';
import type { BillingTables, ChainLevel } from '../db/tables.js';
import { lockAccounts, type Posting, postTransaction } from '../ledger/ledger.js';
import { quotaPeriods } from './quota-periods.js';

/**
 * Captures a reserved message once it is sent: each level of the chain pays its price to its
 * parent (the root keeps what it is paid), in one balanced ledger transaction, and the holds
 * go. The state guard makes it happen once per message however often the event arrives.
 */
export async function capture(db: Kysely<BillingTables>, messageId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const reservation = await claim(trx, messageId, 'captured');
    if (!reservation) return false;
    const chain = reservation.chain;
    await lockAccounts(
      trx,
      chain.map((level) => level.accountId),
    );
    const postings: Posting[] = [];
    for (let level = chain.length - 1; level > 0; level--) {
      const price = BigInt(chain[level]!.priceMinor);
      postings.push({ accountId: chain[level]!.accountId, amountMinor: -price });
      postings.push({ accountId: chain[level - 1]!.accountId, amountMinor: price });
    }
    await postTransaction(trx, { kind: 'charge', messageId, postings });
    await dropHolds(trx, chain);
    return true;
  });
}

/** Releases the reservations of messages that will not be sent: holds and quota go back. */
export async function release(
  db: Kysely<BillingTables>,
  messageIds: readonly string[],
  accountId?: string,
  /** For messages never handed to dispatch: the status usage shows them under. */
  finalStatus?: 'REJECTED',
): Promise<number> {
  let released = 0;
  // One transaction per message keeps the locks short and the order of locks the same as reserve's.
  for (const messageId of messageIds) {
    const done = await db.transaction().execute(async (trx) => {
      const reservation = await claim(trx, messageId, 'released', accountId);
      if (!reservation) return false;
      await lockAccounts(
        trx,
        reservation.chain.map((level) => level.accountId),
      );
      await dropHolds(trx, reservation.chain);
      if (finalStatus) {
        await trx
          .updateTable('reservations')
          .set({ last_status: finalStatus })
          .where('message_id', '=', messageId)
          .execute();
      }
      if (reservation.quota_accounts.length > 0) {
        const { day, month } = quotaPeriods(reservation.created_at);
        await trx
          .updateTable('quota_counters')
          .set({ used: sql`greatest(used - 1, 0)` })
          .where('account_id', 'in', reservation.quota_accounts)
          .where('period', 'in', [day, month])
          .execute();
      }
      return true;
    });
    if (done) released++;
  }
  return released;
}

/** Ranks statuses so that a late or repeated event never moves a message's usage status back. */
const statusRank: Record<string, number> = {
  ACCEPTED: 0,
  SENT: 1,
  DELIVERED: 2,
  READ: 3,
  FAILED: 4,
  EXPIRED: 4,
};

/** Keeps the message's latest status for usage reports. */
export async function recordStatus(
  db: Kysely<BillingTables>,
  messageId: string,
  status: string,
): Promise<void> {
  const rank = statusRank[status];
  if (rank === undefined) return;
  await db
    .updateTable('reservations')
    .set({ last_status: status })
    .where('message_id', '=', messageId)
    .where(
      sql<number>`case last_status when 'ACCEPTED' then 0 when 'SENT' then 1 when 'DELIVERED' then 2 when 'READ' then 3 else 4 end`,
      '<',
      rank,
    )
    .execute();
}

async function claim(
  trx: Kysely<BillingTables>,
  messageId: string,
  next: 'captured' | 'released',
  accountId?: string,
) {
  let query = trx
    .updateTable('reservations')
    .set({ state: next, updated_at: new Date() })
    .where('message_id', '=', messageId)
    .where('state', '=', 'reserved');
  if (accountId) query = query.where('account_id', '=', accountId);
  return query.returning(['chain', 'quota_accounts', 'created_at']).executeTakeFirst();
}

async function dropHolds(trx: Kysely<BillingTables>, chain: readonly ChainLevel[]): Promise<void> {
  for (const level of chain) {
    if (BigInt(level.holdMinor) === 0n) continue;
    await trx
      .updateTable('accounts')
      .set({ held_minor: sql`held_minor - ${level.holdMinor}::bigint` })
      .where('id', '=', level.accountId)
      .execute();
  }
}
