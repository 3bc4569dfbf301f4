import { accountRateRule, type RateLimit } from './account-rate-rule.js';
import { duplicateRule } from './duplicate-rule.js';
import type { PolicyRule } from './policy-rule.js';
import { selfSendRule } from './self-send-rule.js';

export interface PolicySettings {
  /** How long after a message the same one is refused as a duplicate (2009). Default 5 minutes. */
  duplicateWindowMs?: number;
  /** Every account's send rate (2301 beyond it); no limit when unset. */
  accountRate?: RateLimit;
}

export const DEFAULT_DUPLICATE_WINDOW_MS = 5 * 60_000;

/**
 * The rules every accepted message goes through, in order; the first that refuses a message
 * decides it. Cheap rules that need no table come first. Adding a rule is adding a line here.
 */
export function defaultRules(settings: PolicySettings = {}): PolicyRule[] {
  return [
    selfSendRule,
    // Before duplicates: a message refused with 2301 and sent again must not read as its own duplicate.
    ...(settings.accountRate ? [accountRateRule(settings.accountRate)] : []),
    duplicateRule(settings.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
  ];
}
