import type { billing } from '@wagate/contracts';
import { isoTime } from './messages.js';

const iso = (ms: string | undefined) => (ms === undefined ? null : isoTime(ms));
const optionalNumber = (value: string | number | undefined) => (value === undefined ? null : Number(value));

/** Billing's account in the /v1 shape (minor units as JSON numbers: exact up to 2^53). */
export function accountView(account: billing.Account | undefined) {
  if (!account) throw new Error('billing answered without the account');
  return {
    id: account.id,
    name: account.name,
    kind: account.kind as 'platform' | 'reseller' | 'customer',
    status: account.status as 'active' | 'suspended' | 'closed',
    parentId: account.parentId || null,
    currency: account.currency,
    balanceMinor: Number(account.balanceMinor),
    reservedMinor: Number(account.reservedMinor),
    creditLimitMinor: optionalNumber(account.creditLimitMinor),
    markupBps: account.markupBps,
    dailyQuota: optionalNumber(account.dailyQuota),
    monthlyQuota: optionalNumber(account.monthlyQuota),
    createdAt: isoTime(account.createdAtMs),
  };
}

export function apiKeyView(key: billing.ApiKey | undefined) {
  if (!key) throw new Error('billing answered without the key');
  return {
    id: key.id,
    accountId: key.accountId,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes as Array<'send' | 'read' | 'manage'>,
    createdAt: isoTime(key.createdAtMs),
    expiresAt: iso(key.expiresAtMs),
    lastUsedAt: iso(key.lastUsedAtMs),
    revokedAt: iso(key.revokedAtMs),
  };
}

export function pricesView(prices: billing.Prices | undefined) {
  if (!prices) throw new Error('billing answered without the prices');
  const price = (entry: billing.Price) => ({
    country: entry.country,
    kind: entry.kind as
      | 'text'
      | 'media'
      | 'template:marketing'
      | 'template:utility'
      | 'template:authentication',
    priceMinor: Number(entry.priceMinor),
  });
  return {
    accountId: prices.accountId,
    currency: prices.currency,
    markupBps: prices.markupBps,
    prices: prices.prices.map(price),
    effective: prices.effective.map(price),
  };
}
