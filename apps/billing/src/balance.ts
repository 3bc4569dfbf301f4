import type { billing } from '@wagate/contracts';
import { ServerError, Status } from '@wagate/rpc';
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
  if (!account) throw new ServerError(Status.NOT_FOUND, `account "${request.accountId}" does not exist`);
  return {
    accountId: account.id,
    currency: account.currency,
    balanceMinor: account.balance_minor,
    reservedMinor: account.held_minor,
    creditLimitMinor: account.credit_limit_minor ?? undefined,
  };
}
