import { setTimeout as delay } from 'node:timers/promises';

/**
 * Asks `probe` until it answers, pausing `intervalMs` between asks, for at most `timeoutMs`
 * (it is always asked at least once). Resolves with the answer, or undefined on time out.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs, intervalMs }: { timeoutMs: number; intervalMs: number },
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await probe();
    if (answer !== undefined) return answer;
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    await delay(Math.min(intervalMs, left));
  }
}
