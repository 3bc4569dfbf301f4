import { RequestErrorKey } from '@wagate/errors';
import { ServerError, Status } from '@wagate/rpc';
import { type Kysely, sql } from 'kysely';
import { chainIds } from '../accounts/tree.js';
import type { AccountRow, BillingTables, ChainLevel } from '../db/tables.js';
import { addToBalances, billingTable, lockAccounts } from '../ledger/ledger.js';
import { loadPriceBook } from '../pricing/price-book.js';
import { countryOf, priceKindOf } from '../pricing/price-kinds.js';
import { quotaPeriods } from './quota-periods.js';

/** One message to reserve: what it is priced by. */
export interface ReserveItem {
  messageId: string;
  /** The recipient's number; its country prices the message. */
  recipient: string;
  /** `text`, `media` or `template`. */
  kind: string;
  sender: string;
  /** A template's category (`marketing`, `utility`, `authentication`), or empty. */
  templateCategory: string;
}

export interface ReserveRequest {
  /** The sending (paying) account. */
  accountId: string;
  items: readonly ReserveItem[];
}

/** A message's outcome: reserved, or refused with a request-time key and words for the sender. */
export interface ReserveResult {
  messageId: string;
  reserved: boolean;
  rejectionKey: string;
  description: string;
}

export interface ReserveResponse {
  /** One per item, in request order. */
  results: ReserveResult[];
}

/** The one place request-time billing rejections are worded. */
const refusal = {
  inactive: (account: AccountRow, own: boolean) =>
    own
      ? `sending is forbidden: the account is ${account.status}`
      : `sending is forbidden: an account above this one is ${account.status}`,
  funds: (price: bigint, currency: string, own: boolean) =>
    own
      ? `payment is required: the message costs ${price} (minor units of ${currency}) and the balance and credit do not cover it; top up the account or raise its credit limit`
      : 'payment is required: an account above this one cannot cover this message',
  quota: (period: 'daily' | 'monthly', limit: number, own: boolean) =>
    own
      ? `the ${period} quota of ${limit} messages is used up (UTC ${period === 'daily' ? 'day' : 'month'}); retry in the next period or ask for a higher quota`
      : `the ${period} quota of an account above this one is used up; retry in the next period`,
};

interface QuotaCounter {
  accountId: string;
  period: string;
  limit: number;
  kind: 'daily' | 'monthly';
  remaining: number;
}

/**
 * Reserves a whole request in ONE transaction. Each message costs every level of its chain
 * what that level pays; the sender holds its full price, and an ancestor holds only what it
 * would lose (its price above its child's), so a reseller's margin never needs funds. In
 * request order, a message is reserved when every hold fits the level's available funds
 * (balance + credit limit - held) and every quota on the chain has room; otherwise it alone is
 * rejected, and later, cheaper messages may still fit. The rows that change are locked (in id
 * order), so concurrent requests — from any api or billing replica — never overspend.
 */
export async function reserve(
  db: Kysely<BillingTables>,
  request: ReserveRequest,
  now = new Date(),
): Promise<ReserveResponse> {
  if (request.items.length === 0) return { results: [] };
  return db.transaction().execute(async (trx) => {
    // A retried request (the api resumed it after a crash) brings message ids reserved before:
    // they keep the outcome they had and are not reserved twice.
    const earlier = await earlierOutcomes(trx, request);
    const items = request.items.filter((item) => !earlier.has(item.messageId));
    const inRequestOrder = (results: ReserveResult[]): ReserveResponse => {
      const fresh = new Map(results.map((result) => [result.messageId, result]));
      return {
        results: request.items.map((item) => earlier.get(item.messageId) ?? fresh.get(item.messageId)!),
      };
    };
    if (items.length === 0) return inRequestOrder([]);
    const sender = await trx
      .selectFrom('accounts')
      .select('path')
      .where('id', '=', request.accountId)
      .executeTakeFirst();
    if (!sender) throw new ServerError(Status.NOT_FOUND, `account "${request.accountId}" does not exist`);
    const chain = await trx
      .selectFrom('accounts')
      .selectAll()
      .where('id', 'in', chainIds(sender.path))
      .orderBy('depth')
      .execute();
    const leafIndex = chain.length - 1;
    const reject = (item: ReserveItem, key: string, description: string): ReserveResult => ({
      messageId: item.messageId,
      reserved: false,
      rejectionKey: key,
      description,
    });

    const inactiveIndex = chain.findIndex((account) => account.status !== 'active');
    if (inactiveIndex >= 0) {
      const description = refusal.inactive(chain[inactiveIndex]!, inactiveIndex === leafIndex);
      return inRequestOrder(items.map((item) => reject(item, RequestErrorKey.Forbidden, description)));
    }

    const book = await loadPriceBook(trx, chain);
    const planned = items.map((item) => {
      const country = countryOf(item.recipient);
      const priceKind = priceKindOf(item.kind, item.templateCategory);
      const prices = book.chainPrices(country, priceKind);
      const holds = prices.map((price, level) =>
        level === leafIndex ? price : price > prices[level + 1]! ? price - prices[level + 1]! : 0n,
      );
      return { item, country, priceKind, prices, holds };
    });

    const holding = chain.filter((_, level) => planned.some((plan) => plan.holds[level]! > 0n));
    const available = new Map<string, bigint>();
    for (const row of await lockAccounts(
      trx,
      holding.map((account) => account.id),
    )) {
      const credit = row.credit_limit_minor === null ? 0n : BigInt(row.credit_limit_minor);
      available.set(row.id, BigInt(row.balance_minor) + credit - BigInt(row.held_minor));
    }
    const counters = await lockQuotaCounters(trx, chain, quotaPeriods(now));

    const held = new Map<string, bigint>();
    const counted = new Map<QuotaCounter, number>();
    const rows: Array<{ plan: (typeof planned)[number]; chainLevels: ChainLevel[] }> = [];
    const results = planned.map((plan): ReserveResult => {
      for (let level = 0; level < chain.length; level++) {
        const hold = plan.holds[level]!;
        if (hold === 0n) continue;
        const account = chain[level]!;
        if (available.get(account.id)! - (held.get(account.id) ?? 0n) < hold) {
          return reject(
            plan.item,
            RequestErrorKey.BillingError,
            refusal.funds(plan.prices[leafIndex]!, account.currency, level === leafIndex),
          );
        }
      }
      const full = counters.find((counter) => counter.remaining - (counted.get(counter) ?? 0) < 1);
      if (full) {
        return reject(
          plan.item,
          RequestErrorKey.QuotaExceeded,
          refusal.quota(full.kind, full.limit, full.accountId === request.accountId),
        );
      }
      chain.forEach((account, level) => {
        if (plan.holds[level]! > 0n) held.set(account.id, (held.get(account.id) ?? 0n) + plan.holds[level]!);
      });
      for (const counter of counters) counted.set(counter, (counted.get(counter) ?? 0) + 1);
      rows.push({
        plan,
        chainLevels: chain.map((account, level) => ({
          accountId: account.id,
          priceMinor: String(plan.prices[level]),
          holdMinor: String(plan.holds[level]),
        })),
      });
      return { messageId: plan.item.messageId, reserved: true, rejectionKey: '', description: '' };
    });

    if (rows.length > 0) {
      const quotaAccounts = [...new Set(counters.map((counter) => counter.accountId))];
      await trx
        .insertInto('reservations')
        .values(
          rows.map(({ plan, chainLevels }) => ({
            message_id: plan.item.messageId,
            account_id: request.accountId,
            account_path: sender.path,
            kind: plan.item.kind,
            sender: plan.item.sender,
            country: plan.country,
            price_kind: plan.priceKind,
            amount_minor: String(plan.prices[leafIndex]),
            chain: JSON.stringify(chainLevels),
            quota_accounts: quotaAccounts,
            state: 'reserved' as const,
            created_at: now,
          })),
        )
        .execute();
    }
    await addToBalances(trx, new Map(), held);
    const quotaUse = [...counted].sort(([a], [b]) =>
      a.accountId === b.accountId ? a.period.localeCompare(b.period) : a.accountId.localeCompare(b.accountId),
    );
    if (quotaUse.length > 0) {
      await sql`
        update ${billingTable('quota_counters')} as counters set used = counters.used + change.messages
        from unnest(
          ${quotaUse.map(([counter]) => counter.accountId)}::text[],
          ${quotaUse.map(([counter]) => counter.period)}::text[],
          ${quotaUse.map(([, used]) => used)}::int[]
        ) as change(account_id, period, messages)
        where counters.account_id = change.account_id and counters.period = change.period
      `.execute(trx);
    }
    return inRequestOrder(results);
  });
}

/**
 * The outcome of messages of this request that were reserved before (a retry): one still held or
 * already paid for stays reserved, and its row is touched so billing's sweep leaves it alone
 * while the retry hands it to dispatch; one released after dispatch failed or expired it is
 * dispatch's (it answers for it again); one released as REJECTED (it never reached dispatch, or
 * dispatch refused it) is not sent now either.
 */
async function earlierOutcomes(
  trx: Kysely<BillingTables>,
  request: ReserveRequest,
): Promise<Map<string, ReserveResult>> {
  const rows = await trx
    .updateTable('reservations')
    .set({ updated_at: new Date() })
    .where(
      'message_id',
      'in',
      request.items.map((item) => item.messageId),
    )
    .where('account_id', '=', request.accountId)
    .returning(['message_id', 'state', 'last_status'])
    .execute();
  return new Map(
    rows.map((row): [string, ReserveResult] => {
      const messageId = String(row.message_id);
      return row.state === 'released' && row.last_status === 'REJECTED'
        ? [
            messageId,
            {
              messageId,
              reserved: false,
              rejectionKey: RequestErrorKey.Unknown,
              description:
                'this message was not sent and will not be: an earlier attempt of this request could not hand it on; send it again with a new Idempotency-Key',
            },
          ]
        : [messageId, { messageId, reserved: true, rejectionKey: '', description: '' }];
    }),
  );
}

/**
 * The quota counters of every account on the chain that has a quota, locked (after the
 * accounts, in a fixed order) so that two requests under one parent count one at a time.
 */
async function lockQuotaCounters(
  trx: Kysely<BillingTables>,
  chain: readonly AccountRow[],
  periods: { day: string; month: string },
): Promise<QuotaCounter[]> {
  const wanted: Array<Omit<QuotaCounter, 'remaining'>> = [];
  for (const account of chain) {
    if (account.daily_quota !== null)
      wanted.push({ accountId: account.id, period: periods.day, limit: account.daily_quota, kind: 'daily' });
    if (account.monthly_quota !== null)
      wanted.push({
        accountId: account.id,
        period: periods.month,
        limit: account.monthly_quota,
        kind: 'monthly',
      });
  }
  if (wanted.length === 0) return [];
  await trx
    .insertInto('quota_counters')
    .values(wanted.map((counter) => ({ account_id: counter.accountId, period: counter.period, used: 0 })))
    .onConflict((conflict) => conflict.columns(['account_id', 'period']).doNothing())
    .execute();
  const locked = await trx
    .selectFrom('quota_counters')
    .selectAll()
    .where((eb) =>
      eb.or(
        wanted.map((counter) =>
          eb.and([eb('account_id', '=', counter.accountId), eb('period', '=', counter.period)]),
        ),
      ),
    )
    .orderBy('account_id')
    .orderBy('period')
    .forUpdate()
    .execute();
  return wanted.map((counter) => {
    const row = locked.find(
      (candidate) => candidate.account_id === counter.accountId && candidate.period === counter.period,
    );
    return { ...counter, remaining: counter.limit - (row?.used ?? 0) };
  });
}
