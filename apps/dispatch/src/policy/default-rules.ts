import { accountRateRule } from './account-rate-rule.js';
import { blockedContentRule } from './blocked-content-rule.js';
import { duplicateRule } from './duplicate-rule.js';
import { DEFAULT_FAILING_SENDER, type FailingSenderLimit, failingSenderRule } from './failing-sender-rule.js';
import { optOutRule } from './opt-out-rule.js';
import type { PolicyRule } from './policy-rule.js';
import { type RecipientLimit, recipientRateRule } from './recipient-rate-rule.js';
import { selfSendRule } from './self-send-rule.js';
import type { RateLimit } from './token-bucket.js';
import { type YoungSenderLimit, youngSenderRule } from './young-sender-rule.js';

export interface PolicySettings {
  /** How long after a message the same one is refused as a duplicate (2009). Default 5 minutes. */
  duplicateWindowMs?: number;
  /** Every account's send rate (2301 beyond it); no limit when unset. */
  accountRate?: RateLimit;
  /** Messages per hour from an account to one recipient (2301 beyond it); no limit when unset. */
  recipientRate?: RecipientLimit;
  /** When a sender whose messages mostly fail is refused (2001); default 80 % of the last 50 within 1 hour; `false` turns it off. */
  failingSender?: FailingSenderLimit | false;
  /** How far a young sender may spread one text (2001); off when unset. */
  youngSender?: YoungSenderLimit;
}

export const DEFAULT_DUPLICATE_WINDOW_MS = 5 * 60_000;

/**
 * The rules every accepted message goes through, in order; the first that refuses a message
 * decides it. Rules that only read come first (cheapest first); then the ones that count what
 * passes (rates, the young sender's recipients, duplicates), so a message refused for its
 * content or recipient uses up no one's budget. Adding a rule is adding a line here.
 */
export function defaultRules(settings: PolicySettings = {}): PolicyRule[] {
  const failingSender = settings.failingSender ?? DEFAULT_FAILING_SENDER;
  return [
    selfSendRule,
    blockedContentRule,
    optOutRule,
    ...(failingSender ? [failingSenderRule(failingSender)] : []),
    // Before duplicates: a message refused with 2301 and sent again must not read as its own duplicate.
    ...(settings.accountRate ? [accountRateRule(settings.accountRate)] : []),
    ...(settings.recipientRate ? [recipientRateRule(settings.recipientRate)] : []),
    ...(settings.youngSender ? [youngSenderRule(settings.youngSender)] : []),
    duplicateRule(settings.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
  ];
}
