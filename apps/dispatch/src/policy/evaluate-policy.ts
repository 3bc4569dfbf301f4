import type { MessageAcceptedEvent } from '@wagate/contracts';
import { inSpan } from '@wagate/telemetry';
import type { PolicyContext, PolicyDecision, PolicyRule } from './policy-rule.js';
import { dispatchMetrics } from '../metrics.js';

/**
 * Runs the rules over a batch in order; a message refused by one rule is not shown to the next,
 * so each refused message has exactly one decision. The evaluation is the span
 * `dispatch.policy`, with one event per refusal naming the message, the rule and the reason, so
 * a trace shows which rule stopped which message.
 */
export function evaluatePolicy(
  rules: readonly PolicyRule[],
  messages: MessageAcceptedEvent[],
  context: PolicyContext,
): Promise<PolicyDecision[]> {
  return inSpan(
    'dispatch.policy',
    { attributes: { 'wagate.policy.messages': messages.length } },
    async (span) => {
      const decisions: PolicyDecision[] = [];
      let remaining = messages;
      for (const rule of rules) {
        if (remaining.length === 0) break;
        const refused = await rule.refuse(remaining, context);
        if (refused.length === 0) continue;
        const ids = new Set(refused.map((refusal) => refusal.messageId));
        decisions.push(
          ...refused.map((refusal) => ({ ...refusal, rule: rule.name, errorCode: rule.errorCode })),
        );
        remaining = remaining.filter((message) => !ids.has(message.messageId));
      }
      for (const decision of decisions) {
        dispatchMetrics().policyRefusals.add(1, { rule: decision.rule, code: decision.errorCode });
        span.addEvent('wagate.policy.refused', {
          'wagate.message_id': decision.messageId,
          'wagate.policy.rule': decision.rule,
          'wagate.policy.error_code': decision.errorCode,
          'wagate.policy.reason': decision.reason,
        });
      }
      span.setAttribute('wagate.policy.refused', decisions.length);
      if (decisions.length > 0)
        span.setAttribute('wagate.policy.rules', [...new Set(decisions.map((d) => d.rule))]);
      return decisions;
    },
  );
}
