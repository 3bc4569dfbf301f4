import type { Kysely } from 'kysely';
import {
  ensureChildAccount,
  ensurePlatform,
  grantCredit,
  PLATFORM_ACCOUNT_ID,
} from '../../src/accounts/bootstrap.js';
import type { BillingTables } from '../../src/db/tables.js';

/** An account of the chain and what it pays per text message (to any country). */
export interface PricedAccount {
  id: string;
  textPriceMinor: number;
}

/**
 * A customer funded with `creditMinor`, below a reseller when one is given, below the platform:
 * each pays its own text price to the level above.
 */
export async function fundedCustomer(
  db: Kysely<BillingTables>,
  chain: { reseller?: PricedAccount; customer: PricedAccount; creditMinor: bigint },
): Promise<void> {
  const { reseller, customer } = chain;
  await ensurePlatform(db);
  if (reseller) {
    await ensureChildAccount(db, {
      id: reseller.id,
      name: 'Reseller',
      parentId: PLATFORM_ACCOUNT_ID,
      kind: 'reseller',
    });
  }
  await ensureChildAccount(db, {
    id: customer.id,
    name: 'Customer',
    parentId: reseller?.id ?? PLATFORM_ACCOUNT_ID,
    kind: 'customer',
  });
  await db
    .insertInto('prices')
    .values(
      [reseller, customer]
        .filter((account) => account !== undefined)
        .map((account) => ({
          account_id: account.id,
          country: '*',
          kind: 'text',
          price_minor: String(account.textPriceMinor),
        })),
    )
    .execute();
  await grantCredit(db, customer.id, chain.creditMinor, 'test');
}
