import { env, readConfig } from '@wagate/config';
import { DEFAULT_FAILING_SENDER } from './failing-sender-rule.js';
import type { PolicySettings } from './default-rules.js';

/** The policy's settings from the environment; README's "Dispatch policy" lists them with their defaults. */
export function policySettingsFromEnv(
  source: Record<string, string | undefined> = process.env,
): PolicySettings {
  const config = readConfig(
    {
      // The same message (account, sender, recipient, content) again within this many seconds fails with 2009.
      WAGATE_DUPLICATE_WINDOW_SECONDS: env.int(300),
      // Every account's send rate; beyond it messages fail with 2301. 0 turns the limit off.
      WAGATE_ACCOUNT_RATE_PER_SECOND: env.int(0),
      WAGATE_ACCOUNT_RATE_BURST: env.int(0),
      // Messages per hour from one account to one recipient; beyond it 2301. 0 turns it off.
      WAGATE_RECIPIENT_RATE_PER_HOUR: env.int(0),
      WAGATE_RECIPIENT_RATE_BURST: env.int(0),
      // A sender with this percentage of failures among its last N device outcomes within the window fails with 2001; 0 turns it off.
      WAGATE_FAILING_SENDER_PERCENT: env.int(DEFAULT_FAILING_SENDER.failedShare * 100),
      WAGATE_FAILING_SENDER_OUTCOMES: env.int(DEFAULT_FAILING_SENDER.lastOutcomes),
      WAGATE_FAILING_SENDER_WINDOW_SECONDS: env.int(DEFAULT_FAILING_SENDER.windowMs / 1000),
      // A sender younger than this many days may send one text to at most N recipients per window (2001); 0 turns it off.
      WAGATE_YOUNG_SENDER_DAYS: env.int(0),
      WAGATE_YOUNG_SENDER_MAX_RECIPIENTS: env.int(100),
      WAGATE_YOUNG_SENDER_WINDOW_SECONDS: env.int(3600),
    },
    source,
  );
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
