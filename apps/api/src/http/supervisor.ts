import { z } from '@hono/zod-openapi';
import { RequestErrorKey } from '@wagate/errors';
import { ApiError } from '../errors/api-error.js';
import type { Peers } from '../peers.js';
import type { Principal } from './auth.js';

/** The `?accountId=` of routes a reseller or the platform calls on behalf of an account below it. */
export const SupervisedAccountQuery = z.object({
  accountId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({
      description:
        "The account acted on, below the caller's (its reseller or the platform calls with this). Default: the " +
        "caller's own account, which only a root account may supervise itself.",
      example: 'acc_demo',
    }),
});

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
  const target = requested ?? caller.accountId;
  const { account } = await peers.billing.getAccount({ actorAccountId: caller.accountId, accountId: target });
  if (target === caller.accountId && account?.parentId) {
    throw ApiError.of(
      403,
      RequestErrorKey.Forbidden,
      "this is decided by the account's reseller or the platform admin: they call it with ?accountId=",
    );
  }
  return target;
}
