import { ServerError, Status } from '@wagate/rpc';

/** Calls scoped to an account must name it; an empty id would read or write nobody's rows. */
export function requireAccount(accountId: string): void {
  if (accountId === '') throw new ServerError(Status.INVALID_ARGUMENT, 'account_id is required');
}
