import type { billing } from '@wagate/contracts';
import { DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import { chainIds, managedAccount, visibleAccount } from '../accounts/tree.js';
import type { BillingTables } from '../db/tables.js';
import { loadPriceBook } from './price-book.js';
import { ANY_COUNTRY, isPriceKind, priceKinds } from './price-kinds.js';

const COUNTRY = /^[A-Z]{2}$/;

/** Replaces what a descendant pays: its parent's price list for it. */
export async function setPrices(
  db: Kysely<BillingTables>,
  request: billing.SetPricesRequest,
): Promise<billing.SetPricesResponse> {
  const { account } = await managedAccount(db, request.actorAccountId, request.accountId);
  const seen = new Set<string>();
  request.prices.forEach((price, index) => {
    if (price.country !== ANY_COUNTRY && !COUNTRY.test(price.country)) {
      throw new DomainError(
        ErrorKey.Invalid,
        `prices[${index}].country must be an ISO 3166 code such as "RU", or "*"`,
      );
    }
    if (!isPriceKind(price.kind)) {
      throw new DomainError(
        ErrorKey.Invalid,
        `prices[${index}].kind must be one of ${priceKinds.join(', ')}`,
      );
    }
    if (BigInt(price.priceMinor) < 0n) {
      throw new DomainError(ErrorKey.Invalid, `prices[${index}].priceMinor must not be negative`);
    }
    const key = `${price.country}|${price.kind}`;
    if (seen.has(key)) {
      throw new DomainError(
        ErrorKey.Invalid,
        `prices[${index}] repeats country ${price.country} and kind ${price.kind}`,
      );
    }
    seen.add(key);
  });
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('prices').where('account_id', '=', account.id).execute();
    if (request.prices.length > 0) {
      await trx
        .insertInto('prices')
        .values(
          request.prices.map((price) => ({
            account_id: account.id,
            country: price.country,
            kind: price.kind,
            price_minor: price.priceMinor,
          })),
        )
        .execute();
    }
  });
  return getPrices(db, { actorAccountId: request.actorAccountId, accountId: account.id, country: '' });
}

/** The account's own price list and, for a country, the price of every kind as it would be charged. */
export async function getPrices(
  db: Kysely<BillingTables>,
  request: billing.GetPricesRequest,
): Promise<billing.GetPricesResponse> {
  const { account } = await visibleAccount(db, request.actorAccountId, request.accountId);
  if (request.country && request.country !== ANY_COUNTRY && !COUNTRY.test(request.country)) {
    throw new DomainError(ErrorKey.Invalid, 'country must be an ISO 3166 code such as "RU"');
  }
  const rows = await db
    .selectFrom('prices')
    .select(['country', 'kind', 'price_minor'])
    .where('account_id', '=', account.id)
    .orderBy('country')
    .orderBy('kind')
    .execute();
  let effective: billing.Price[] = [];
  if (request.country) {
    const chain = await db
      .selectFrom('accounts')
      .selectAll()
      .where('id', 'in', chainIds(account.path))
      .orderBy('depth')
      .execute();
    const book = await loadPriceBook(db, chain);
    effective = priceKinds.map((kind) => ({
      country: request.country,
      kind,
      priceMinor: String(book.chainPrices(request.country, kind).at(-1)),
    }));
  }
  return {
    prices: {
      accountId: account.id,
      currency: account.currency,
      markupBps: account.markup_bps,
      prices: rows.map((row) => ({ country: row.country, kind: row.kind, priceMinor: row.price_minor })),
      effective,
    },
  };
}
