import { DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { BillingTables } from './db/tables.js';
import { unrolledMinor } from './ledger/ledger.js';

/** An account's money, in exact decimal strings of minor units of its currency. */
export interface AccountBalance {
  accountId: string;
  currency: string;
  /** Everything the account's ledger entries sum to, the unrolled postings included. */
  balanceMinor: string;
  /** Held by reservations not yet captured or released. */
  reservedMinor: string;
  creditLimitMinor: string | undefined;
}

/**
 * The account's balance: its row's rolled-up balance plus its unrolled postings, read in one
 * statement (one snapshot), so it is exact whenever the roll-up last ran. An unknown account is
 * NOT_FOUND.
 */
export async function getBalance(
  db: Kysely<BillingTables>,
  request: { accountId: string },
): Promise<AccountBalance> {
  const account = await db
    .selectFrom('accounts')
    .select(['id', 'currency', 'balance_minor', 'held_minor', 'credit_limit_minor'])
    .select((eb) => unrolledMinor(eb).as('unrolled_minor'))
    .where('id', '=', request.accountId)
    .executeTakeFirst();
  if (!account) throw new DomainError(ErrorKey.NotFound, `account "${request.accountId}" does not exist`);
  return {
    accountId: account.id,
    currency: account.currency,
    balanceMinor: String(BigInt(account.balance_minor) + BigInt(account.unrolled_minor ?? 0)),
    reservedMinor: account.held_minor,
    creditLimitMinor: account.credit_limit_minor ?? undefined,
  };
}
