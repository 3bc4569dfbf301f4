import { describe, expect, test } from 'vitest';
import { backoffDelay } from '../src/backoff.js';

describe('reconnect backoff', () => {
  const range = { minMs: 100, maxMs: 2_000 };

  test('doubles from the minimum up to the maximum, with jitter up to the next doubling', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, range, () => 0))).toEqual([
      100, 200, 400, 800,
    ]);
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, range, () => 0.5))).toEqual([
      150, 300, 600, 1200,
    ]);
    expect(backoffDelay(10, range, () => 0.5)).toBe(2_000);
  });

  test('never waits less than the minimum nor more than the maximum', () => {
    for (let attempt = 0; attempt < 100; attempt++) {
      const delay = backoffDelay(attempt, range);
      expect(delay).toBeGreaterThanOrEqual(range.minMs);
      expect(delay).toBeLessThanOrEqual(range.maxMs);
    }
  });
});
