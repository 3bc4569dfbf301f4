import { RequestErrorKey } from '@wagate/errors';
import { ApiError } from '../errors/api-error.js';
import type { Peers } from '../peers.js';
import type { Principal } from './auth.js';

/** Accounts read per page while collecting a subtree; 100 is billing's largest page. */
const PAGE = 100;
/** A subtree larger than this is refused rather than listed partly (ask with ?accountId=). */
const MAX_SUBTREE = 5_000;

/**
 * The accounts whose devices a key sees: the account acted on (its own, or `?accountId=` of one
 * below it) and every account below that. An account outside the caller's tree is 404, like a
 * missing one (billing answers so).
 */
export async function accountSubtree(
  peers: Peers,
  caller: Principal,
  requested: string | undefined,
): Promise<string[]> {
  const target = requested ?? caller.accountId;
  if (target !== caller.accountId) {
    await peers.billing.getAccount({ actorAccountId: caller.accountId, accountId: target });
  }
  const ids = [target];
  let cursor = '';
  do {
    const page = await peers.billing.listAccounts({
      actorAccountId: target,
      parentId: '',
      status: '',
      limit: PAGE,
      cursor,
    });
    ids.push(...page.accounts.map((account) => account.id));
    cursor = page.nextCursor;
    if (ids.length > MAX_SUBTREE) {
      throw ApiError.of(
        400,
        RequestErrorKey.Invalid,
        `more than ${MAX_SUBTREE} accounts below this one: ask for one of them with ?accountId=`,
        'accountId',
      );
    }
  } while (cursor);
  return ids;
}

/**
 * Who may make enrolment tokens for an account: a `manage` key (the route checks the scope) of
 * the platform or of a reseller, for its own account or one below it. A customer's devices are
 * enrolled by its reseller or the platform. Returns the account the token enrols into.
 */
export async function enrollingAccount(
  peers: Peers,
  caller: Principal,
  requested: string | undefined,
): Promise<string> {
  const { account: own } = await peers.billing.getAccount({
    actorAccountId: caller.accountId,
    accountId: caller.accountId,
  });
  if (own?.kind !== 'platform' && own?.kind !== 'reseller') {
    throw ApiError.of(
      403,
      RequestErrorKey.Forbidden,
      "devices are enrolled by the account's reseller or the platform admin: they call this with ?accountId=",
    );
  }
  const target = requested ?? caller.accountId;
  if (target !== caller.accountId) {
    await peers.billing.getAccount({ actorAccountId: caller.accountId, accountId: target });
  }
  return target;
}
