/** Shared by the callback benchmark's runner and its two delivery targets. */
export function receiverUrl(): string {
  const url = process.env.BENCH_RECEIVER_URL;
  if (!url) throw new Error('BENCH_RECEIVER_URL is not set (the callback benchmark sets it)');
  return url;
}

export function callbackCount(): number {
  const value = Number(process.env.BENCH_CALLBACKS ?? 2000);
  return Number.isInteger(value) && value > 0 ? value : 2000;
}

/** The worker's own per-origin limit: the baseline posts with the same concurrency. */
export const CONCURRENCY = 4;
