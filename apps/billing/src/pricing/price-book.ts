import type { Kysely } from 'kysely';
import type { AccountRow, BillingTables } from '../db/tables.js';
import { ANY_COUNTRY, type PriceKind } from './price-kinds.js';

const BPS = 10_000n;

/**
 * The prices of one chain of accounts (root first), read once per request. An account pays
 * what its parent set for it — the country's price, else the any-country price — or, where
 * nothing is set, its parent's own price plus the account's markup, rounded up to a whole
 * minor unit. A root with no price set pays nothing.
 */
export interface PriceBook {
  /** What each level pays for one message, root first (same order as the chain). */
  chainPrices(country: string, kind: PriceKind): bigint[];
}

export async function loadPriceBook(
  db: Kysely<BillingTables>,
  chain: readonly AccountRow[],
): Promise<PriceBook> {
  const [book] = await loadPriceBooks(db, [chain]);
  return book!;
}

/** The price books of several chains with one query (a batch of requests of many accounts). */
export async function loadPriceBooks(
  db: Kysely<BillingTables>,
  chains: ReadonlyArray<readonly AccountRow[]>,
): Promise<PriceBook[]> {
  const ids = [...new Set(chains.flatMap((chain) => chain.map((account) => account.id)))];
  const rows =
    ids.length === 0
      ? []
      : await db
          .selectFrom('prices')
          .select(['account_id', 'country', 'kind', 'price_minor'])
          .where('account_id', 'in', ids)
          .execute();
  const explicit = new Map(
    rows.map((row) => [`${row.account_id}|${row.country}|${row.kind}`, BigInt(row.price_minor)]),
  );
  return chains.map((chain) => priceBookOf(chain, explicit));
}

function priceBookOf(chain: readonly AccountRow[], explicit: ReadonlyMap<string, bigint>): PriceBook {
  const memo = new Map<string, bigint[]>();
  return {
    chainPrices(country, kind) {
      const memoKey = `${country}|${kind}`;
      const cached = memo.get(memoKey);
      if (cached) return cached;
      const prices: bigint[] = [];
      let parentPrice = 0n;
      for (const account of chain) {
        const set =
          explicit.get(`${account.id}|${country}|${kind}`) ??
          explicit.get(`${account.id}|${ANY_COUNTRY}|${kind}`);
        const price = set ?? ceilDiv(parentPrice * (BPS + BigInt(account.markup_bps)), BPS);
        prices.push(price);
        parentPrice = price;
      }
      memo.set(memoKey, prices);
      return prices;
    },
  };
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}
