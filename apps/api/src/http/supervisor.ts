import { z } from '@hono/zod-openapi';
import { DomainError, ErrorKey } from '@wagate/errors';
import type { Peers } from '../peers.js';
import type { Principal } from './auth.js';

/** An `?accountId=` query parameter, described for the route it belongs to. */
function accountIdQuery(description: string) {
  return z.object({
    accountId: z.string().min(1).max(64).optional().openapi({ description, example: 'acc_demo' }),
  });
}

/** The `?accountId=` of routes a reseller or the platform calls on behalf of an account below it. */
export const SupervisedAccountQuery = accountIdQuery(
  "The account acted on, below the caller's (its reseller or the platform calls with this). Default: the " +
    "caller's own account, which only a root account may supervise itself.",
);

/** The `?accountId=` of lists an account keeps for itself and its subtree (blocklist, opt-outs). */
export const SubtreeAccountQuery = accountIdQuery(
  "The account whose list this is: the caller's own (the default) or one below it, as a reseller or the " +
    'platform acting for a customer.',
);

/** The `?accountId=` of an account's webhook settings and signing secret. */
export const WebhookAccountQuery = accountIdQuery(
  "The account whose webhooks these are: the caller's own (the default) or one below it, as its reseller or " +
    'the platform.',
);

/** The `?accountId=` of a read of an account's settings: its own, or its reseller's or the platform's look at it. */
export const ReadableAccountQuery = accountIdQuery(
  "The account read: the caller's own (the default) or one below it, as its reseller or the platform.",
);

/**
 * Who may act on an account as its reseller or the platform admin — approve, reject or pause
 * its templates, set its conversation-window policy: a `manage` key (the route checks the
 * scope) of an account above it. The one place that decides it. Returns the account acted on.
 * An account outside the caller's subtree is 404, like a missing one (billing answers so); the
 * caller's own account is 403 unless nobody is above it (the platform, or a root made before
 * the account tree existed).
 */
export async function supervisedAccount(
  peers: Peers,
  caller: Principal,
  requested: string | undefined,
): Promise<string> {
  const { target, account } = await visibleAccount(peers, caller, requested);
  if (target === caller.accountId && account?.parentId) {
    throw new DomainError(
      ErrorKey.Forbidden,
      "this is decided by the account's reseller or the platform admin: they call it with ?accountId=",
    );
  }
  return target;
}

/**
 * The account a call acts on when a list is the caller's to keep for itself and for the accounts
 * below it (a blocklist, opt-outs): its own by default, or with `?accountId=` one in its subtree.
 * Anything outside the subtree is 404, like a missing account.
 */
export async function accountInSubtree(
  peers: Peers,
  caller: Principal,
  requested: string | undefined,
): Promise<string> {
  return (await visibleAccount(peers, caller, requested)).target;
}

async function visibleAccount(peers: Peers, caller: Principal, requested: string | undefined) {
  const target = requested ?? caller.accountId;
  const { account } = await peers.billing.getAccount({ actorAccountId: caller.accountId, accountId: target });
  return { target, account };
}
