import type { billing } from '@wagate/contracts';
import type { AccountChange } from '../accounts/account-service.js';
import type { NewKey } from '../keys/key-service.js';
import type { PriceEntry } from '../pricing/price-service.js';

/**
 * Requests in their gRPC form read into billing's domain types. Where a request already has the
 * domain's shape (references, queries, new accounts, transfers) the handler passes it as it is
 * and the compiler checks that the two agree, so a proto change still fails here, at the edge.
 */

export function newKeyFromProto(request: billing.CreateKeyRequest): NewKey {
  return {
    actorAccountId: request.actorAccountId,
    accountId: request.accountId,
    name: request.name,
    scopes: request.scopes,
    expiresAt: request.expiresAtMs === undefined ? null : new Date(Number(request.expiresAtMs)),
  };
}

export function accountChangeFromProto(request: billing.UpdateAccountRequest): AccountChange {
  const { actorAccountId, accountId, name, status, markupBps, creditLimitMinor, dailyQuota, monthlyQuota } =
    request;
  return { actorAccountId, accountId, name, status, markupBps, creditLimitMinor, dailyQuota, monthlyQuota };
}

export function pricesFromProto(prices: billing.Price[]): PriceEntry[] {
  return prices.map(({ country, kind, priceMinor }) => ({ country, kind, priceMinor }));
}
