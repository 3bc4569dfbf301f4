import { type Pump, startPump } from '@wagate/outbox';
import { createLogger } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import type { DispatchTables } from '../db/tables.js';
import { DEFAULT_DUPLICATE_WINDOW_MS, type PolicySettings } from './default-rules.js';
import { DEFAULT_FAILING_SENDER } from './failing-sender-rule.js';
import type { RateLimit } from './token-bucket.js';

const log = createLogger('dispatch:policy');

/** The least idle time before a rate bucket is forgotten, whatever its fill time (see below). */
const MIN_BUCKET_IDLE_MS = 10 * 60_000;

/**
 * Deletes what no rule can read any more, so the policy's tables stay the size of their
 * windows: outcomes and fan-out rows older than their windows, fingerprints older than the
 * duplicate window, and rate buckets idle for twice the time they take to fill up, and at
 * least ten minutes — a full bucket is the same as none (a missing one starts full). A bucket's
 * time is the api's acceptance stamp, compared here with this process's clock: the margin keeps
 * a skew between the two (or a batch stamped a little in the past) from deleting a bucket that
 * is in use, which would hand its account a fresh burst. A one-second fill time alone did.
 */
export async function forgetOldCounts(
  db: Kysely<DispatchTables>,
  settings: PolicySettings,
  nowMs = Date.now(),
): Promise<void> {
  const before = (ms: number) => new Date(nowMs - ms);
  const outcomesMs = (settings.failingSender || DEFAULT_FAILING_SENDER).windowMs;
  await db.deleteFrom('sender_outcomes').where('at', '<', before(outcomesMs)).execute();
  if (settings.youngSender) {
    await db.deleteFrom('text_fanout').where('seen_at', '<', before(settings.youngSender.windowMs)).execute();
  }
  const duplicateMs = settings.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
  await db.deleteFrom('duplicate_fingerprints').where('seen_at', '<', before(duplicateMs)).execute();
  const fillMs = (limit: RateLimit) => (limit.burst / limit.perSecond) * 1000;
  const idle = [
    ...(settings.accountRate ? [{ prefix: 'account:', ms: fillMs(settings.accountRate) }] : []),
    ...(settings.recipientRate
      ? [
          {
            prefix: 'recipient:',
            ms: fillMs({
              perSecond: settings.recipientRate.perHour / 3600,
              burst: settings.recipientRate.burst ?? settings.recipientRate.perHour,
            }),
          },
        ]
      : []),
  ];
  for (const { prefix, ms } of idle) {
    const idleMs = Math.max(2 * ms, MIN_BUCKET_IDLE_MS);
    await db
      .deleteFrom('rate_buckets')
      .where('bucket', 'like', `${prefix}%`)
      .where('refilled_at_ms', '<', String(Math.floor(nowMs - idleMs)))
      .execute();
  }
}

/** Runs forgetOldCounts every `pollMs` (default a minute) until stopped. */
export function startForgettingOldCounts(
  db: Kysely<DispatchTables>,
  settings: PolicySettings,
  pollMs = 60_000,
): Pump {
  return startPump({
    drainOnce: () => forgetOldCounts(db, settings),
    pollMs,
    onError: (error) => log.error({ err: error }, 'forgetting old policy counts failed'),
  });
}
