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
    const reservation = await claimForCapture(trx, messageId);
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

/**
 * Releases the reservations of messages that will not be sent, all in one transaction: holds
 * and quota go back. The state guard releases each message once, however often it is asked.
 */
export async function release(
  db: Kysely<BillingTables>,
  messageIds: readonly string[],
  only: {
    /** Only this account's reservations (a caller acting for one account). */
    accountId?: string;
    /** For messages never handed to dispatch: the status usage shows them under. */
    finalStatus?: 'REJECTED';
    /** Only reservations not touched since (the sweep's guard against a retry that just reserved again). */
    untouchedSince?: Date;
  } = {},
): Promise<number> {
  const { accountId, finalStatus, untouchedSince } = only;
  if (messageIds.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    let claiming = trx
      .updateTable('reservations')
      .set({
        state: 'released',
        updated_at: new Date(),
        ...(finalStatus ? { last_status: finalStatus } : {}),
      })
      .where('message_id', 'in', [...new Set(messageIds)])
      .where('state', '=', 'reserved');
    if (accountId) claiming = claiming.where('account_id', '=', accountId);
    if (untouchedSince) claiming = claiming.where('updated_at', '<', untouchedSince);
    const released = await claiming.returning(['chain', 'quota_accounts', 'created_at']).execute();
    if (released.length === 0) return 0;
    const chain = released.flatMap((reservation) => reservation.chain);
    await lockAccounts(
      trx,
      chain.map((level) => level.accountId),
    );
    await dropHolds(trx, chain);
    // Quota counters go back by how many of the released messages each one counted.
    const counted = new Map<string, { accountId: string; period: string; messages: number }>();
    for (const reservation of released) {
      const { day, month } = quotaPeriods(reservation.created_at);
      for (const account of reservation.quota_accounts) {
        for (const period of [day, month]) {
          const key = `${account}|${period}`;
          const entry = counted.get(key) ?? { accountId: account, period, messages: 0 };
          entry.messages++;
          counted.set(key, entry);
        }
      }
    }
    for (const { accountId: account, period, messages } of counted.values()) {
      await trx
        .updateTable('quota_counters')
        .set({ used: sql`greatest(used - ${messages}, 0)` })
        .where('account_id', '=', account)
        .where('period', '=', period)
        .execute();
    }
    return released.length;
  });
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

/** Moves a reservation out of `reserved` once: the second claim of a message finds nothing. */
function claimForCapture(trx: Kysely<BillingTables>, messageId: string) {
  return trx
    .updateTable('reservations')
    .set({ state: 'captured', updated_at: new Date() })
    .where('message_id', '=', messageId)
    .where('state', '=', 'reserved')
    .returning(['chain'])
    .executeTakeFirst();
}

/** Takes the holds of these chain levels off their accounts: one update per account. */
async function dropHolds(trx: Kysely<BillingTables>, levels: readonly ChainLevel[]): Promise<void> {
  const held = new Map<string, bigint>();
  for (const level of levels)
    held.set(level.accountId, (held.get(level.accountId) ?? 0n) + BigInt(level.holdMinor));
  for (const [accountId, amount] of held) {
    if (amount === 0n) continue;
    await trx
      .updateTable('accounts')
      .set({ held_minor: sql`held_minor - ${String(amount)}::bigint` })
      .where('id', '=', accountId)
      .execute();
  }
}
