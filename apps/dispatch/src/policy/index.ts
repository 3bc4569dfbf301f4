export { DEFAULT_DUPLICATE_WINDOW_MS, defaultRules, type PolicySettings } from './default-rules.js';
export { evaluatePolicy } from './evaluate-policy.js';
export type { PolicyContext, PolicyDecision, PolicyRule, Refusal } from './policy-rule.js';
export { recordRefusals } from './record-refusals.js';
export type { RateLimit } from './account-rate-rule.js';
