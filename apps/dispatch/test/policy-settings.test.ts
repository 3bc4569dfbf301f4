import { expect, test } from 'vitest';
import { policySettingsFromEnv } from '../src/policy/settings-from-env.js';

test('by default the failing-sender rule is on and the limits and the young-sender rule are off', () => {
  expect(policySettingsFromEnv({})).toEqual({
    duplicateWindowMs: 300_000,
    failingSender: { failedShare: 0.8, lastOutcomes: 50, windowMs: 3_600_000 },
  });
});

test('each rule takes its settings from the environment, a burst defaulting to its rate', () => {
  expect(
    policySettingsFromEnv({
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
