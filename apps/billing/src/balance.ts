import { DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { BillingTables } from './db/tables.js';

/** An account's money, in minor units of its currency, as decimal strings (exact beyond 2^53). */
export interface Balance {
  accountId: string;
  currency: string;
  balanceMinor: string;
  /** Held by reservations not yet captured or released. */
  reservedMinor: string;
  /** How far the balance may go below zero; absent: it may not. */
  creditLimitMinor?: string;
}

/** The account's balance; an unknown account is NOT_FOUND. */
export async function getBalance(
  db: Kysely<BillingTables>,
  request: { accountId: string },
): Promise<Balance> {
  const account = await db
    .selectFrom('accounts')
    .select(['id', 'currency', 'balance_minor', 'held_minor', 'credit_limit_minor'])
    .where('id', '=', request.accountId)
    .executeTakeFirst();
  if (!account) throw new DomainError(ErrorKey.NotFound, `account "${request.accountId}" does not exist`);
  return {
    accountId: account.id,
    currency: account.currency,
    balanceMinor: account.balance_minor,
    reservedMinor: account.held_minor,
    ...(account.credit_limit_minor !== null ? { creditLimitMinor: account.credit_limit_minor } : {}),
  };
}
