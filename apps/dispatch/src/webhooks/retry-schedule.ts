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

/** The longest wait between two attempts: a `Retry-After` asking for more is capped to it. */
export const MAX_RETRY_DELAY_MS = HOUR;

/**
 * A `Retry-After` header (delay in seconds, or an HTTP date) as a delay from `nowMs`, capped at
 * `MAX_RETRY_DELAY_MS`; undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  let delay: number;
  if (/^\d+$/.test(value)) delay = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    delay = at - nowMs;
  }
  return Math.min(Math.max(delay, 0), MAX_RETRY_DELAY_MS);
}

/** 429, 5xx and 408 (the endpoint timed out) are worth another attempt; any other non-2xx answer is final. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
