import type { billing } from '@wagate/contracts';
import type { AccountRow } from '../db/tables.js';

export function accountView(row: AccountRow): billing.Account {
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
    createdAtMs: String(row.created_at.getTime()),
  };
}
