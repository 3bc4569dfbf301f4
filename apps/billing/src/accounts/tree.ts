import { DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { AccountRow, BillingTables } from '../db/tables.js';
import { unrolledMinor, withUnrolledBalance } from '../ledger/ledger.js';

/** The ids on an account's path, root first, the account itself last. */
export function chainIds(path: string): string[] {
  return path.split('/').filter((id) => id.length > 0);
}

export function pathOfChild(parentPath: string, id: string): string {
  return `${parentPath}${id}/`;
}

/** True when `account` is `ancestor` or lies below it. */
export function isWithin(account: Pick<AccountRow, 'path'>, ancestor: Pick<AccountRow, 'path'>): boolean {
  return account.path.startsWith(ancestor.path);
}

/** An account another one may see: itself or a descendant. Anything else is like a missing one. */
export async function visibleAccount(
  db: Kysely<BillingTables>,
  actorAccountId: string,
  accountId: string,
): Promise<{ actor: AccountRow; account: AccountRow }> {
  const id = accountId || actorAccountId;
  const rows = (
    await db
      .selectFrom('accounts')
      .selectAll()
      .select((eb) => unrolledMinor(eb).as('unrolled_minor'))
      .where('id', 'in', [...new Set([actorAccountId, id])])
      .execute()
  ).map(withUnrolledBalance);
  const actor = rows.find((row) => row.id === actorAccountId);
  const account = rows.find((row) => row.id === id);
  if (!actor || !account || !isWithin(account, actor)) {
    throw new DomainError(ErrorKey.NotFound, `no account "${id}" in this account's tree`);
  }
  return { actor, account };
}

/**
 * An account the actor may change (status, prices, credit, quotas): a strict descendant. An
 * account cannot raise its own limits; its own row is refused, others' are not found.
 */
export async function managedAccount(
  db: Kysely<BillingTables>,
  actorAccountId: string,
  accountId: string,
): Promise<{ actor: AccountRow; account: AccountRow }> {
  const found = await visibleAccount(db, actorAccountId, accountId);
  if (found.account.id === found.actor.id) {
    throw new DomainError(
      ErrorKey.Forbidden,
      "an account's status, prices, credit and quotas are set by its parent, not by the account itself",
    );
  }
  return found;
}
