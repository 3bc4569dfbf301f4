import { type ConfigOf, env } from '@wagate/config';
import type { PolicySettings } from './default-rules.js';
import { DEFAULT_FAILING_SENDER } from './failing-sender-rule.js';

/** The policy's variables (dispatch, and the embedded gateway's dispatch); `policySettings` reads them. */
export const policyVariables = {
  WAGATE_DUPLICATE_WINDOW_SECONDS: env.int({
    default: 300,
    min: 0,
    unit: 'seconds',
    description:
      'The same message (account, sender, recipient, content) again within this window fails with 2009.',
  }),
  WAGATE_ACCOUNT_RATE_PER_SECOND: env.int({
    default: 0,
    min: 0,
    unit: 'messages a second',
    description: "Every account's send rate; beyond it messages fail with 2301. 0 turns the limit off.",
  }),
  WAGATE_ACCOUNT_RATE_BURST: env.int({
    default: 0,
    min: 0,
    unit: 'messages',
    description: "How far an account may run ahead of its rate; 0: the rate's own value.",
  }),
  WAGATE_RECIPIENT_RATE_PER_HOUR: env.int({
    default: 0,
    min: 0,
    unit: 'messages an hour',
    description: 'Messages an hour from one account to one recipient; beyond it 2301. 0 turns the limit off.',
  }),
  WAGATE_RECIPIENT_RATE_BURST: env.int({
    default: 0,
    min: 0,
    unit: 'messages',
    description: "How far one recipient's messages may run ahead of the rate; 0: the rate's own value.",
  }),
  WAGATE_FAILING_SENDER_PERCENT: env.int({
    default: DEFAULT_FAILING_SENDER.failedShare * 100,
    min: 0,
    max: 100,
    unit: 'percent',
    description:
      'A sender with this share of failures among its last outcomes within the window fails new messages with 2001; 0 turns the rule off.',
  }),
  WAGATE_FAILING_SENDER_OUTCOMES: env.int({
    default: DEFAULT_FAILING_SENDER.lastOutcomes,
    min: 1,
    unit: 'device outcomes',
    description: "How many of a sender's latest outcomes the failing-sender rule looks at.",
  }),
  WAGATE_FAILING_SENDER_WINDOW_SECONDS: env.int({
    default: DEFAULT_FAILING_SENDER.windowMs / 1000,
    min: 1,
    unit: 'seconds',
    description: 'Outcomes older than this do not count for the failing-sender rule.',
  }),
  WAGATE_YOUNG_SENDER_DAYS: env.int({
    default: 0,
    min: 0,
    unit: 'days',
    description:
      'A sender younger than this may send one text to at most WAGATE_YOUNG_SENDER_MAX_RECIPIENTS recipients per window (else 2001); 0 turns the rule off.',
  }),
  WAGATE_YOUNG_SENDER_MAX_RECIPIENTS: env.int({
    default: 100,
    min: 1,
    unit: 'recipients',
    description: 'How many recipients a young sender may send one text to within the window.',
  }),
  WAGATE_YOUNG_SENDER_WINDOW_SECONDS: env.int({
    default: 3600,
    min: 1,
    unit: 'seconds',
    description: "The young-sender rule's window.",
  }),
};

export type PolicyConfig = ConfigOf<typeof policyVariables>;

/** The policy's settings from its variables; README's "Dispatch policy" explains the rules. */
export function policySettings(config: PolicyConfig): PolicySettings {
  return {
    duplicateWindowMs: config.WAGATE_DUPLICATE_WINDOW_SECONDS * 1000,
    ...(config.WAGATE_ACCOUNT_RATE_PER_SECOND > 0 && {
      accountRate: {
        perSecond: config.WAGATE_ACCOUNT_RATE_PER_SECOND,
        burst: config.WAGATE_ACCOUNT_RATE_BURST || config.WAGATE_ACCOUNT_RATE_PER_SECOND,
      },
    }),
    ...(config.WAGATE_RECIPIENT_RATE_PER_HOUR > 0 && {
      recipientRate: {
        perHour: config.WAGATE_RECIPIENT_RATE_PER_HOUR,
        burst: config.WAGATE_RECIPIENT_RATE_BURST || config.WAGATE_RECIPIENT_RATE_PER_HOUR,
      },
    }),
    failingSender:
      config.WAGATE_FAILING_SENDER_PERCENT > 0
        ? {
            failedShare: config.WAGATE_FAILING_SENDER_PERCENT / 100,
            lastOutcomes: config.WAGATE_FAILING_SENDER_OUTCOMES,
            windowMs: config.WAGATE_FAILING_SENDER_WINDOW_SECONDS * 1000,
          }
        : false,
    ...(config.WAGATE_YOUNG_SENDER_DAYS > 0 && {
      youngSender: {
        youngForMs: config.WAGATE_YOUNG_SENDER_DAYS * 86_400_000,
        maxRecipients: config.WAGATE_YOUNG_SENDER_MAX_RECIPIENTS,
        windowMs: config.WAGATE_YOUNG_SENDER_WINDOW_SECONDS * 1000,
      },
    }),
  };
}
