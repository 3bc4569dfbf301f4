import type { billing } from '@wagate/contracts';
import { DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { BillingTables } from './db/tables.js';

/** The account's balance; an unknown account is NOT_FOUND. */
export async function getBalance(
  db: Kysely<BillingTables>,
  request: billing.GetBalanceRequest,
): Promise<billing.GetBalanceResponse> {
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
    creditLimitMinor: account.credit_limit_minor ?? undefined,
  };
}
