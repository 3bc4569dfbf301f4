import { DomainError, ErrorKey } from '@wagate/errors';
import { domainErrorOf } from '@wagate/rpc';
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
      throw new DomainError(
        ErrorKey.Invalid,
        `more than ${MAX_SUBTREE} accounts below this one: ask for one of them with ?accountId=`,
        { ref: 'accountId' },
      );
    }
  } while (cursor);
  return ids;
}

/**
 * The account of a device the caller may see: its own account's or one below it. Any other
 * device — of another tree, or none — is the same 404, naming no account.
 */
export async function visibleDeviceAccount(
  peers: Peers,
  caller: Principal,
  deviceId: string,
): Promise<string> {
  const missing = new DomainError(ErrorKey.NotFound, `no device "${deviceId}" in this account's tree`, {
    ref: 'deviceId',
  });
  const { accountId } = await peers.fleet.locateDevice({ deviceId });
  if (!accountId) throw missing;
  try {
    await peers.billing.getAccount({ actorAccountId: caller.accountId, accountId });
  } catch (error) {
    if (domainErrorOf(error)?.key === ErrorKey.NotFound) throw missing;
    throw error;
  }
  return accountId;
}

/** What fleet's per-device calls take: the device and the one account it may be found in. */
export async function deviceScope(
  peers: Peers,
  caller: Principal,
  deviceId: string,
): Promise<{ accountIds: string[]; deviceId: string }> {
  return { accountIds: [await visibleDeviceAccount(peers, caller, deviceId)], deviceId };
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
  await requireResellerOrPlatform(
    peers,
    caller,
    "devices are enrolled by the account's reseller or the platform admin: they call this with ?accountId=",
  );
  const target = requested ?? caller.accountId;
  if (target !== caller.accountId) {
    await peers.billing.getAccount({ actorAccountId: caller.accountId, accountId: target });
  }
  return target;
}

/** Refuses (403 `forbidden`, saying `why`) a key of an account that is neither a reseller nor the platform. */
export async function requireResellerOrPlatform(peers: Peers, caller: Principal, why: string): Promise<void> {
  const { account: own } = await peers.billing.getAccount({
    actorAccountId: caller.accountId,
    accountId: caller.accountId,
  });
  if (own?.kind !== 'platform' && own?.kind !== 'reseller') throw new DomainError(ErrorKey.Forbidden, why);
}
