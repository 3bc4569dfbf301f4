import type { billing } from '@wagate/contracts';
import type { AccountBalance } from '../balance.js';
import type { AccountRow, ApiKeyRow } from '../db/tables.js';
import type { KeyAuthentication } from '../keys/key-service.js';
import type { PriceEntry, PriceList } from '../pricing/price-service.js';
import type { Usage } from '../usage/usage.js';

/**
 * Billing's domain types in their gRPC form: with from-proto.ts, the only place that knows the
 * generated types, so a change of the proto is a change here. Times go out as epoch
 * milliseconds in decimal strings, absent optionals as undefined.
 */

const epochMs = (at: Date) => String(at.getTime());

export function accountToProto(row: AccountRow): billing.Account {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    status: row.status,
    parentId: row.parent_id ?? '',
    currency: row.currency,
    balanceMinor: row.balance_minor,
    reservedMinor: row.held_minor,
    creditLimitMinor: row.credit_limit_minor ?? undefined,
    markupBps: row.markup_bps,
    dailyQuota: row.daily_quota ?? undefined,
    monthlyQuota: row.monthly_quota ?? undefined,
    createdAtMs: epochMs(row.created_at),
  };
}

export function keyToProto(row: ApiKeyRow): billing.ApiKey {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdAtMs: epochMs(row.created_at),
    expiresAtMs: row.expires_at ? epochMs(row.expires_at) : undefined,
    lastUsedAtMs: row.last_used_at ? epochMs(row.last_used_at) : undefined,
    revokedAtMs: row.revoked_at ? epochMs(row.revoked_at) : undefined,
  };
}

export function keyAuthenticationToProto(result: KeyAuthentication): billing.AuthenticateKeyResponse {
  if (!result.valid) return { valid: false, accountId: '', keyId: '', scopes: [], refusal: result.refusal };
  return {
    valid: true,
    accountId: result.accountId,
    keyId: result.keyId,
    scopes: result.scopes,
    refusal: '',
    expiresAtMs: result.expiresAt ? epochMs(result.expiresAt) : undefined,
  };
}

export function balanceToProto(balance: AccountBalance): billing.GetBalanceResponse {
  return {
    accountId: balance.accountId,
    currency: balance.currency,
    balanceMinor: balance.balanceMinor,
    reservedMinor: balance.reservedMinor,
    creditLimitMinor: balance.creditLimitMinor,
  };
}

const priceToProto = ({ country, kind, priceMinor }: PriceEntry): billing.Price => ({
  country,
  kind,
  priceMinor,
});

export function priceListToProto(list: PriceList): billing.Prices {
  return {
    accountId: list.accountId,
    currency: list.currency,
    markupBps: list.markupBps,
    prices: list.prices.map(priceToProto),
    effective: list.effective.map(priceToProto),
  };
}

export function usageToProto(usage: Usage): billing.GetUsageResponse {
  return {
    currency: usage.currency,
    rows: usage.rows.map((row) => ({
      day: row.day,
      accountId: row.accountId,
      sender: row.sender,
      status: row.status,
      country: row.country,
      messages: row.messages,
      amountMinor: row.amountMinor,
    })),
  };
}
