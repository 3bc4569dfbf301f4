export interface BackoffRange {
  minMs: number;
  maxMs: number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): doubles from minMs up to maxMs, with
 * jitter up to the next doubling, so a fleet restart is not met by every agent at once.
 */
export function backoffDelay(
  attempt: number,
  range: BackoffRange,
  random: () => number = Math.random,
): number {
  const base = Math.min(range.maxMs, range.minMs * 2 ** Math.min(attempt, 30));
  return Math.min(range.maxMs, Math.round(base + random() * base));
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
