import { type Kysely, sql } from 'kysely';
import type { BillingTables, ChainLevel } from '../db/tables.js';
import { billingTable, type LedgerTransaction, postTransactions } from '../ledger/ledger.js';
import { quotaPeriods } from './quota-periods.js';

/** A status a message reached, as billing settles it (dispatch's `message.status` event). */
export interface SettlementEvent {
  messageId: string;
  /** SENT captures; FAILED and EXPIRED release; every status is kept for usage. */
  status: string;
}

export interface SettlementOutcome {
  /** Messages charged by this call (each at most once, ever). */
  captured: string[];
  /** Messages whose reservation this call gave back. */
  released: string[];
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

interface OpenReservation {
  message_id: string;
  state: 'reserved' | 'captured' | 'released';
  chain: ChainLevel[];
  quota_accounts: string[];
  created_at: Date;
  last_status: string;
}

/**
 * Settles a batch of status events in ONE transaction, one statement per table: SENT captures
 * (each level of the chain pays its price to its parent, the root keeps what it is paid, the
 * holds go), FAILED and EXPIRED release (holds and quota go back), and every message keeps its
 * latest status for usage. A reservation leaves `reserved` once, so a message is charged or
 * released once however often, or in whatever order, its events arrive.
 *
 * Rows are locked in one order — reservations by message id, then accounts by id, then quota
 * counters — and only the rows that must be exact are locked: the payer's and those of
 * ancestors that held funds (a reseller selling below cost). What the other ancestors earn (a
 * reseller's margin, the platform's price) is written as one unrolled posting per account per
 * batch, rolled into their rows by the roll-up: no capture of any tenant waits on the
 * platform's row or a reseller's.
 */
export async function settle(
  db: Kysely<BillingTables>,
  events: readonly SettlementEvent[],
): Promise<SettlementOutcome> {
  const ids = [...new Set(events.map((event) => event.messageId))];
  if (ids.length === 0) return { captured: [], released: [] };
  return db.transaction().execute(async (trx) => {
    const reservations = await trx
      .selectFrom('reservations')
      .select(['message_id', 'state', 'chain', 'quota_accounts', 'created_at', 'last_status'])
      .where('message_id', 'in', ids)
      .orderBy('message_id')
      .forUpdate()
      .execute();
    const byId = new Map<string, OpenReservation>(
      reservations.map((row) => [String(row.message_id), { ...row, message_id: String(row.message_id) }]),
    );
    const captured: OpenReservation[] = [];
    const released: OpenReservation[] = [];
    const statusOf = new Map<string, string>();
    for (const event of events) {
      const reservation = byId.get(event.messageId);
      const rank = statusRank[event.status];
      if (!reservation || rank === undefined) continue;
      if (reservation.state === 'reserved' && event.status === 'SENT') {
        reservation.state = 'captured';
        captured.push(reservation);
      } else if (
        reservation.state === 'reserved' &&
        (event.status === 'FAILED' || event.status === 'EXPIRED')
      ) {
        reservation.state = 'released';
        released.push(reservation);
      }
      const latest = statusOf.get(reservation.message_id) ?? reservation.last_status;
      if ((statusRank[latest] ?? 4) < rank) statusOf.set(reservation.message_id, event.status);
    }

    await settleFunds(trx, captured, released);
    const changed = [...new Set([...captured, ...released].map((reservation) => reservation.message_id))];
    const touched = [...new Set([...changed, ...statusOf.keys()])];
    if (touched.length > 0) {
      await sql`
        update ${billingTable('reservations')} as reservations set
          state = change.state,
          last_status = change.last_status,
          updated_at = case when change.state = reservations.state then reservations.updated_at else now() end
        from unnest(
          ${touched}::bigint[],
          ${touched.map((id) => byId.get(id)!.state)}::text[],
          ${touched.map((id) => statusOf.get(id) ?? byId.get(id)!.last_status)}::text[]
        ) as change(message_id, state, last_status)
        where reservations.message_id = change.message_id
      `.execute(trx);
    }
    return {
      captured: captured.map((reservation) => reservation.message_id),
      released: released.map((reservation) => reservation.message_id),
    };
  });
}

/**
 * The money of captured and released reservations: ledger entries for the captures, holds off
 * the accounts that held (and onto their rows, with the payer's charge, in one statement),
 * unrolled postings for the ancestors that held nothing, quota counters back for the released.
 */
async function settleFunds(
  trx: Kysely<BillingTables>,
  captured: readonly OpenReservation[],
  released: readonly OpenReservation[],
): Promise<void> {
  if (captured.length === 0 && released.length === 0) return;
  // Exact rows: the payer (the chain's last level) and every level that held funds.
  const exact = new Set<string>();
  const heldChange = new Map<string, bigint>();
  for (const reservation of [...captured, ...released]) {
    reservation.chain.forEach((level, index) => {
      const hold = BigInt(level.holdMinor);
      if (index === reservation.chain.length - 1 || hold > 0n) exact.add(level.accountId);
      if (hold > 0n) heldChange.set(level.accountId, (heldChange.get(level.accountId) ?? 0n) - hold);
    });
  }
  await trx
    .selectFrom('accounts')
    .select('id')
    .where('id', 'in', [...exact].sort())
    .orderBy('id')
    .forUpdate()
    .execute();
  const charges: LedgerTransaction[] = captured.map((reservation) => {
    const chain = reservation.chain;
    const postings = [];
    for (let level = chain.length - 1; level > 0; level--) {
      const price = BigInt(chain[level]!.priceMinor);
      postings.push({ accountId: chain[level]!.accountId, amountMinor: -price });
      postings.push({ accountId: chain[level - 1]!.accountId, amountMinor: price });
    }
    return { kind: 'charge', messageId: reservation.message_id, postings };
  });
  await postTransactions(trx, charges, { applyTo: (accountId) => exact.has(accountId), heldChange });
  await giveQuotaBack(trx, released);
}

/** Quota counters go back by how many of the released messages each one counted: one statement. */
async function giveQuotaBack(
  trx: Kysely<BillingTables>,
  released: readonly OpenReservation[],
): Promise<void> {
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
  const counters = [...counted.values()].sort((a, b) =>
    a.accountId === b.accountId ? a.period.localeCompare(b.period) : a.accountId.localeCompare(b.accountId),
  );
  if (counters.length === 0) return;
  await sql`
    update ${billingTable('quota_counters')} as counters set used = greatest(counters.used - change.messages, 0)
    from unnest(
      ${counters.map((counter) => counter.accountId)}::text[],
      ${counters.map((counter) => counter.period)}::text[],
      ${counters.map((counter) => counter.messages)}::int[]
    ) as change(account_id, period, messages)
    where counters.account_id = change.account_id and counters.period = change.period
  `.execute(trx);
}

/** Captures one reserved message (it was SENT); false when it was settled before. */
export async function capture(db: Kysely<BillingTables>, messageId: string): Promise<boolean> {
  const { captured } = await settle(db, [{ messageId, status: 'SENT' }]);
  return captured.length === 1;
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
    // Locked in message-id order (as settle locks them), then claimed.
    let open = trx
      .selectFrom('reservations')
      .select('message_id')
      .where('message_id', 'in', [...new Set(messageIds)])
      .where('state', '=', 'reserved');
    if (accountId) open = open.where('account_id', '=', accountId);
    if (untouchedSince) open = open.where('updated_at', '<', untouchedSince);
    const locked = await open.orderBy('message_id').forUpdate().execute();
    if (locked.length === 0) return 0;
    const released = await trx
      .updateTable('reservations')
      .set({
        state: 'released',
        updated_at: new Date(),
        ...(finalStatus ? { last_status: finalStatus } : {}),
      })
      .where(
        'message_id',
        'in',
        locked.map((row) => row.message_id),
      )
      .where('state', '=', 'reserved')
      .returning(['message_id', 'state', 'chain', 'quota_accounts', 'created_at', 'last_status'])
      .execute();
    await settleFunds(
      trx,
      [],
      released.map((row) => ({ ...row, message_id: String(row.message_id) })),
    );
    return released.length;
  });
}
