/**
 * When to try a failed callback again: 5 s, 30 s, 2 min, 10 min, 30 min, then hourly, each with
 * ±20 % jitter so retries from many messages do not arrive together; after 3 days the callback
 * is marked dead (it stays readable in the database).
 */
const steps = [5_000, 30_000, 120_000, 600_000, 1_800_000];
const HOUR = 3_600_000;
export const GIVE_UP_AFTER_MS = 3 * 24 * HOUR;

export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = steps[attempts - 1] ?? HOUR;
  return Math.round(base * (0.8 + 0.4 * random()));
}
