export { DEFAULT_DUPLICATE_WINDOW_MS, defaultRules, type PolicySettings } from './default-rules.js';
export { evaluatePolicy } from './evaluate-policy.js';
export {
  DEFAULT_FAILING_SENDER,
  type FailingSenderLimit,
  recordSenderOutcome,
} from './failing-sender-rule.js';
export type { PolicyContext, PolicyDecision, PolicyRule, Refusal } from './policy-rule.js';
export { recordRefusals } from './record-refusals.js';
export type { RecipientLimit } from './recipient-rate-rule.js';
export type { RateLimit } from './token-bucket.js';
export type { YoungSenderLimit } from './young-sender-rule.js';
export { forgetOldCounts, startForgettingOldCounts } from './forget-old-counts.js';
