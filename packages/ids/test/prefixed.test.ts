import { describe, expect, test } from 'vitest';
import { prefixedId } from '../src/prefixed.js';

describe('prefixedId', () => {
  test('names its kind, and ids made in one millisecond, across many refills of the random pool, never repeat', () => {
    const now = Date.UTC(2026, 11, 6);
    const ids = Array.from({ length: 20_000 }, () => prefixedId('job', now));
    expect(ids.every((id) => /^job_[0-9a-hjkmnp-tv-z]{26}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // The random part differs; the time part is the same.
    expect(new Set(ids.map((id) => id.slice(4, 13))).size).toBe(1);
  });

  test('sorts by creation time', () => {
    const earlier = prefixedId('device', 1_000);
    const later = prefixedId('device', 2_000);
    expect([later, earlier].sort()).toEqual([earlier, later]);
  });
});
