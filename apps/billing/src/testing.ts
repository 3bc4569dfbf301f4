import { type Kysely, sql } from 'kysely';
import {
  ensureChildAccount,
  ensureKey,
  ensurePlatform,
  grantCredit,
  PLATFORM_ACCOUNT_ID,
} from './accounts/bootstrap.js';
import type { BillingTables } from './db/tables.js';

/** An account of a funded chain: what it pays per text message (to any country), its name and, optionally, an API key. */
export interface PricedAccount {
  id: string;
  textPriceMinor: number | bigint | string;
  name?: string;
  /** Made with every scope, named after the account. */
  key?: string;
}

/**
 * A paying customer funded with `creditMinor`, below a reseller when one is given, below the
 * platform: each pays its own text price to the level above. The tree tests, the crash suite
 * and the bench send from; idempotent for the accounts, not for the prices and credit.
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
      name: reseller.name ?? 'Reseller',
      parentId: PLATFORM_ACCOUNT_ID,
      kind: 'reseller',
    });
  }
  await ensureChildAccount(db, {
    id: customer.id,
    name: customer.name ?? 'Customer',
    parentId: reseller?.id ?? PLATFORM_ACCOUNT_ID,
    kind: 'customer',
  });
  const accounts = reseller ? [reseller, customer] : [customer];
  await db
    .insertInto('prices')
    .values(
      accounts.map((account) => ({
        account_id: account.id,
        country: '*',
        kind: 'text',
        price_minor: String(account.textPriceMinor),
      })),
    )
    .execute();
  await grantCredit(db, customer.id, chain.creditMinor, 'funded for a test or a bench run');
  for (const account of accounts) {
    if (account.key) await ensureKey(db, account.id, account.key, account.name ?? account.id);
  }
}

/**
 * What is wrong with the ledger, for tests to assert an empty list after every scenario:
 * every transaction sums to zero, every account's balance (its row's rolled-up balance plus its
 * unrolled postings) is the sum of its entries, and every account's held funds are the holds of
 * its open reservations.
 */
export async function ledgerProblems(db: Kysely<BillingTables>): Promise<string[]> {
  const problems: string[] = [];
  const unbalanced = await db
    .selectFrom('ledger_entries')
    .select(['transaction_id', sql<string>`sum(amount_minor)`.as('total')])
    .groupBy('transaction_id')
    .having(sql`sum(amount_minor)`, '!=', 0)
    .execute();
  for (const row of unbalanced) problems.push(`transaction ${row.transaction_id} sums to ${row.total}`);

  const balances = await sql<{ id: string; balance: string; entries: string }>`
    select a.id, a.balance_minor + coalesce(u.amount, 0) as balance, coalesce(e.amount, 0) as entries
    from billing.accounts a
    left join (select account_id, sum(amount_minor) as amount from billing.ledger_entries group by account_id) e
      on e.account_id = a.id
    left join (select account_id, sum(amount_minor) as amount from billing.unrolled_postings group by account_id) u
      on u.account_id = a.id
    where a.balance_minor + coalesce(u.amount, 0) != coalesce(e.amount, 0)
  `.execute(db);
  for (const row of balances.rows)
    problems.push(`account ${row.id}: balance ${row.balance}, entries sum to ${row.entries}`);

  const held = await sql<{ id: string; held: string; holds: string }>`
    select a.id, a.held_minor as held, coalesce(h.holds, 0) as holds
    from billing.accounts a
    left join (
      select level->>'accountId' as account_id, sum((level->>'holdMinor')::bigint) as holds
      from billing.reservations r cross join lateral jsonb_array_elements(r.chain) level
      where r.state = 'reserved'
      group by level->>'accountId'
    ) h on h.account_id = a.id
    where a.held_minor != coalesce(h.holds, 0)
  `.execute(db);
  for (const row of held.rows)
    problems.push(`account ${row.id}: held ${row.held}, open holds sum to ${row.holds}`);
  return problems;
}
export type { BillingTables } from './db/tables.js';
export { rollUpBalances } from './ledger/rollup.js';
export { getBalance } from './balance.js';
