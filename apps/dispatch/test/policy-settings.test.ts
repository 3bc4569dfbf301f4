import { expect, test } from 'vitest';
import { readConfig } from '@wagate/config';
import { policySettings, policyVariables } from '../src/policy/policy-config.js';

/** The policy of a dispatch process started with `env`. */
const policyFrom = (env: Record<string, string>) => policySettings(readConfig(policyVariables, env));

test('by default the failing-sender rule is on and the limits and the young-sender rule are off', () => {
  expect(policyFrom({})).toEqual({
    duplicateWindowMs: 300_000,
    failingSender: { failedShare: 0.8, lastOutcomes: 50, windowMs: 3_600_000 },
  });
});

test('each rule takes its settings from the environment, a burst defaulting to its rate', () => {
  expect(
    policyFrom({
      WAGATE_ACCOUNT_RATE_PER_SECOND: '20',
      WAGATE_RECIPIENT_RATE_PER_HOUR: '10',
      WAGATE_FAILING_SENDER_PERCENT: '0',
      WAGATE_YOUNG_SENDER_DAYS: '7',
      WAGATE_YOUNG_SENDER_MAX_RECIPIENTS: '50',
    }),
  ).toEqual({
    duplicateWindowMs: 300_000,
    accountRate: { perSecond: 20, burst: 20 },
    recipientRate: { perHour: 10, burst: 10 },
    failingSender: false,
    youngSender: { youngForMs: 7 * 86_400_000, maxRecipients: 50, windowMs: 3_600_000 },
  });
});
