import { DomainError, ErrorKey } from '@wagate/errors';

/** Calls scoped to an account must name it; an empty id would read or write nobody's rows. */
export function requireAccount(accountId: string): void {
  if (accountId === '') throw new DomainError(ErrorKey.Invalid, 'account_id is required');
}
