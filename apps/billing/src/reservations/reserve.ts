import { DomainError, ErrorKey } from '@wagate/errors';
import { type Kysely, sql } from 'kysely';
import type { AccountRow, BillingTables, ChainLevel } from '../db/tables.js';
import { addToBalances, billingTable, lockAccounts } from '../ledger/ledger.js';
import { loadPriceBooks, type PriceBook } from '../pricing/price-book.js';
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
 * Reserves a whole request in ONE transaction (see `reserveBatch`); an unknown account is
 * NOT_FOUND.
 */
export async function reserve(
  db: Kysely<BillingTables>,
  request: ReserveRequest,
  now = new Date(),
): Promise<ReserveResponse> {
  const [outcome] = await reserveBatch(db, [request], now);
  if (outcome instanceof Error) throw outcome;
  return outcome!;
}

/**
 * Reserves several requests — of one account or many — in ONE transaction, with one statement
 * per table, each request as if it came alone after the ones before it. Each message costs
 * every level of its chain what that level pays; the sender holds its full price, and an
 * ancestor holds only what it would lose (its price above its child's), so a reseller's margin
 * never needs funds. In order, a message is reserved when every hold fits the level's
 * available funds (balance + credit limit - held, the balance with its unrolled postings) and
 * every quota on the chain has room; otherwise it alone is rejected, and later, cheaper
 * messages may still fit. The rows that change are locked (accounts in id order, then quota
 * counters), so concurrent batches — from any api or billing replica — never overspend.
 * A request's outcome is its response, or the error it alone fails with.
 */
export async function reserveBatch(
  db: Kysely<BillingTables>,
  requests: readonly ReserveRequest[],
  now = new Date(),
): Promise<Array<ReserveResponse | Error>> {
  const outcomes: Array<ReserveResponse | Error | undefined> = requests.map((request) =>
    request.items.length === 0 ? { results: [] } : undefined,
  );
  const open = requests.filter((_, index) => outcomes[index] === undefined);
  if (open.length === 0) return outcomes as Array<ReserveResponse | Error>;
  return db.transaction().execute(async (trx) => {
    // A retried request (the api resumed it after a crash) brings message ids reserved before:
    // they keep the outcome they had and are not reserved twice.
    const earlier = await earlierOutcomes(trx, open);
    // Every sending account's chain, root first, in one query (its path lists the chain's ids).
    const { rows: levels } = await sql<AccountRow & { sender_id: string }>`
      select sender.id as sender_id, level.*
      from ${billingTable('accounts')} as sender
      join ${billingTable('accounts')} as level
        on level.id = any(string_to_array(trim(both '/' from sender.path), '/'))
      where sender.id = any(${[...new Set(open.map((request) => request.accountId))]}::text[])
      order by sender.id, level.depth
    `.execute(trx);
    const chainOf = new Map<string, AccountRow[]>();
    for (const { sender_id, ...level } of levels)
      chainOf.set(sender_id, [...(chainOf.get(sender_id) ?? []), level]);
    const senders = new Map([...chainOf].map(([id, chain]) => [id, chain.at(-1)!.path]));
    const bookList = await loadPriceBooks(trx, [...chainOf.values()]);
    const books = new Map([...chainOf.keys()].map((id, index) => [id, bookList[index]!]));

    interface Work {
      index: number;
      request: ReserveRequest;
      chain: AccountRow[];
      path: string;
      items: ReserveItem[];
      refused?: ReserveResult[];
      planned: PlannedMessage[];
    }
    const work: Work[] = [];
    requests.forEach((request, index) => {
      if (outcomes[index] !== undefined) return;
      const path = senders.get(request.accountId);
      if (path === undefined) {
        outcomes[index] = new DomainError(ErrorKey.NotFound, `account "${request.accountId}" does not exist`);
        return;
      }
      const chain = chainOf.get(request.accountId)!;
      const items = request.items.filter((item) => !earlier.get(request.accountId)?.has(item.messageId));
      const inactiveIndex = chain.findIndex((account) => account.status !== 'active');
      if (inactiveIndex >= 0) {
        const description = refusal.inactive(chain[inactiveIndex]!, inactiveIndex === chain.length - 1);
        const refused = items.map((item) => reject(item, ErrorKey.Forbidden, description));
        work.push({ index, request, chain, path, items, refused, planned: [] });
        return;
      }
      const book = books.get(request.accountId)!;
      work.push({
        index,
        request,
        chain,
        path,
        items,
        planned: items.map((item) => plan(item, book, chain)),
      });
    });

    const holding = new Set<string>();
    for (const { chain, planned } of work) {
      chain.forEach((account, level) => {
        if (planned.some((one) => one.holds[level]! > 0n)) holding.add(account.id);
      });
    }
    const available = new Map<string, bigint>();
    for (const row of await lockAccounts(trx, holding)) {
      const credit = row.credit_limit_minor === null ? 0n : BigInt(row.credit_limit_minor);
      available.set(row.id, BigInt(row.balance_minor) + credit - BigInt(row.held_minor));
    }
    const counters = await lockQuotaCounters(
      trx,
      work.filter((one) => one.planned.length > 0).map((one) => one.chain),
      quotaPeriods(now),
    );

    const held = new Map<string, bigint>();
    const counted = new Map<string, number>();
    const rows: Array<{ work: Work; plan: PlannedMessage; quotaAccounts: string[] }> = [];
    for (const one of work) {
      const fresh =
        one.refused ??
        allocate(one, {
          available,
          held,
          counters: counters.filter((counter) =>
            one.chain.some((account) => account.id === counter.accountId),
          ),
          counted,
          reserved: (reserved, quotaAccounts) => rows.push({ work: one, plan: reserved, quotaAccounts }),
        });
      const byId = new Map(fresh.map((result) => [result.messageId, result]));
      const before = earlier.get(one.request.accountId);
      outcomes[one.index] = {
        results: one.request.items.map((item) => before?.get(item.messageId) ?? byId.get(item.messageId)!),
      };
    }

    if (rows.length > 0) {
      await trx
        .insertInto('reservations')
        .values(
          rows.map(({ work: one, plan: reserved, quotaAccounts }) => ({
            message_id: reserved.item.messageId,
            account_id: one.request.accountId,
            account_path: one.path,
            kind: reserved.item.kind,
            sender: reserved.item.sender,
            country: reserved.country,
            price_kind: reserved.priceKind,
            amount_minor: String(reserved.prices.at(-1)),
            chain: JSON.stringify(
              one.chain.map(
                (account, level): ChainLevel => ({
                  accountId: account.id,
                  priceMinor: String(reserved.prices[level]),
                  holdMinor: String(reserved.holds[level]),
                }),
              ),
            ),
            quota_accounts: quotaAccounts,
            state: 'reserved' as const,
            created_at: now,
          })),
        )
        .execute();
    }
    await addToBalances(trx, new Map(), held);
    const quotaUse = counters
      .filter((counter) => (counted.get(counterKey(counter)) ?? 0) > 0)
      .map((counter) => ({ counter, used: counted.get(counterKey(counter))! }));
    if (quotaUse.length > 0) {
      await sql`
        update ${billingTable('quota_counters')} as counters set used = counters.used + change.messages
        from unnest(
          ${quotaUse.map(({ counter }) => counter.accountId)}::text[],
          ${quotaUse.map(({ counter }) => counter.period)}::text[],
          ${quotaUse.map(({ used }) => used)}::int[]
        ) as change(account_id, period, messages)
        where counters.account_id = change.account_id and counters.period = change.period
      `.execute(trx);
    }
    return outcomes as Array<ReserveResponse | Error>;
  });
}

const reject = (item: ReserveItem, key: string, description: string): ReserveResult => ({
  messageId: item.messageId,
  reserved: false,
  rejectionKey: key,
  description,
});

/** What a message costs each level of its chain (root first), and what each level holds for it. */
interface PlannedMessage {
  item: ReserveItem;
  country: string;
  priceKind: string;
  prices: bigint[];
  holds: bigint[];
}

function plan(item: ReserveItem, book: PriceBook, chain: readonly AccountRow[]): PlannedMessage {
  const leafIndex = chain.length - 1;
  const country = countryOf(item.recipient);
  const priceKind = priceKindOf(item.kind, item.templateCategory);
  const prices = book.chainPrices(country, priceKind);
  const holds = prices.map((price, level) =>
    level === leafIndex ? price : price > prices[level + 1]! ? price - prices[level + 1]! : 0n,
  );
  return { item, country, priceKind, prices, holds };
}

const counterKey = (counter: QuotaCounter) => `${counter.accountId}|${counter.period}`;

/**
 * One request's messages in order against the funds and quotas left by the requests before it
 * in the batch: each that fits is reserved (`reserved`), each that does not is refused alone.
 */
function allocate(
  work: { request: ReserveRequest; chain: AccountRow[]; planned: PlannedMessage[] },
  state: {
    available: ReadonlyMap<string, bigint>;
    held: Map<string, bigint>;
    counters: readonly QuotaCounter[];
    counted: Map<string, number>;
    reserved: (message: PlannedMessage, quotaAccounts: string[]) => void;
  },
): ReserveResult[] {
  const { chain, planned, request } = work;
  const { available, held, counters, counted } = state;
  const leafIndex = chain.length - 1;
  const quotaAccounts = [...new Set(counters.map((counter) => counter.accountId))];
  return planned.map((one): ReserveResult => {
    for (let level = 0; level < chain.length; level++) {
      const hold = one.holds[level]!;
      if (hold === 0n) continue;
      const account = chain[level]!;
      if (available.get(account.id)! - (held.get(account.id) ?? 0n) < hold) {
        return reject(
          one.item,
          ErrorKey.BillingError,
          refusal.funds(one.prices[leafIndex]!, account.currency, level === leafIndex),
        );
      }
    }
    const full = counters.find((counter) => counter.remaining - (counted.get(counterKey(counter)) ?? 0) < 1);
    if (full) {
      return reject(
        one.item,
        ErrorKey.QuotaExceeded,
        refusal.quota(full.kind, full.limit, full.accountId === request.accountId),
      );
    }
    chain.forEach((account, level) => {
      if (one.holds[level]! > 0n) held.set(account.id, (held.get(account.id) ?? 0n) + one.holds[level]!);
    });
    for (const counter of counters)
      counted.set(counterKey(counter), (counted.get(counterKey(counter)) ?? 0) + 1);
    state.reserved(one, quotaAccounts);
    return { messageId: one.item.messageId, reserved: true, rejectionKey: '', description: '' };
  });
}

/**
 * The outcome of messages of these requests that were reserved before (a retry), per account:
 * one still held or already paid for stays reserved, and its row is touched so billing's sweep
 * leaves it alone while the retry hands it to dispatch; one released after dispatch failed or
 * expired it is dispatch's (it answers for it again); one released as REJECTED (it never
 * reached dispatch, or dispatch refused it) is not sent now either.
 */
async function earlierOutcomes(
  trx: Kysely<BillingTables>,
  requests: readonly ReserveRequest[],
): Promise<Map<string, Map<string, ReserveResult>>> {
  const asked = requests.flatMap((request) =>
    request.items.map((item) => ({ messageId: item.messageId, accountId: request.accountId })),
  );
  // By the primary key alone, the pairs checked here. Joined to an unnest of the pairs,
  // PostgreSQL scanned the whole table (6 ms a 100-message batch against a few hundred thousand
  // reservations) unless the keys were also named outright; this form is also cheaper to run
  // (0.014 against about 0.03 ms a call on the bench, see bench/README.md).
  const askedPairs = new Set(asked.map((one) => `${one.messageId}/${one.accountId}`));
  const { rows: found } = await sql<{
    message_id: string;
    account_id: string;
    state: string;
    last_status: string;
  }>`
    update ${billingTable('reservations')} set updated_at = now()
    where message_id = any(${asked.map((one) => one.messageId)}::bigint[])
      and account_id = any(${[...new Set(asked.map((one) => one.accountId))]}::text[])
    returning message_id, account_id, state, last_status
  `.execute(trx);
  const rows = found.filter((row) => askedPairs.has(`${row.message_id}/${row.account_id}`));
  const outcomes = new Map<string, Map<string, ReserveResult>>();
  for (const row of rows) {
    const messageId = String(row.message_id);
    const result: ReserveResult =
      row.state === 'released' && row.last_status === 'REJECTED'
        ? {
            messageId,
            reserved: false,
            rejectionKey: ErrorKey.Unknown,
            description:
              'this message was not sent and will not be: an earlier attempt of this request could not hand it on; send it again with a new Idempotency-Key',
          }
        : { messageId, reserved: true, rejectionKey: '', description: '' };
    const ofAccount = outcomes.get(row.account_id) ?? new Map<string, ReserveResult>();
    ofAccount.set(messageId, result);
    outcomes.set(row.account_id, ofAccount);
  }
  return outcomes;
}

/**
 * The quota counters of every account on these chains that has a quota, locked (after the
 * accounts, in a fixed order) so that two requests under one parent count one at a time.
 */
async function lockQuotaCounters(
  trx: Kysely<BillingTables>,
  chains: ReadonlyArray<readonly AccountRow[]>,
  periods: { day: string; month: string },
): Promise<QuotaCounter[]> {
  const wanted = new Map<string, Omit<QuotaCounter, 'remaining'>>();
  const want = (counter: Omit<QuotaCounter, 'remaining'>) =>
    wanted.set(`${counter.accountId}|${counter.period}`, counter);
  for (const account of chains.flat()) {
    if (account.daily_quota !== null)
      want({ accountId: account.id, period: periods.day, limit: account.daily_quota, kind: 'daily' });
    if (account.monthly_quota !== null)
      want({ accountId: account.id, period: periods.month, limit: account.monthly_quota, kind: 'monthly' });
  }
  if (wanted.size === 0) return [];
  const list = [...wanted.values()];
  await trx
    .insertInto('quota_counters')
    .values(list.map((counter) => ({ account_id: counter.accountId, period: counter.period, used: 0 })))
    .onConflict((conflict) => conflict.columns(['account_id', 'period']).doNothing())
    .execute();
  const locked = await trx
    .selectFrom('quota_counters')
    .selectAll()
    .where((eb) =>
      eb.or(
        list.map((counter) =>
          eb.and([eb('account_id', '=', counter.accountId), eb('period', '=', counter.period)]),
        ),
      ),
    )
    .orderBy('account_id')
    .orderBy('period')
    .forUpdate()
    .execute();
  return list.map((counter) => {
    const row = locked.find(
      (candidate) => candidate.account_id === counter.accountId && candidate.period === counter.period,
    );
    return { ...counter, remaining: counter.limit - (row?.used ?? 0) };
  });
}
