import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { prefixedId } from '../src/prefixed.js';
import { createIdGenerator, idTimestampMs } from '../src/snowflake.js';

const EPOCH = Date.parse('2026-01-01T00:00:00Z');
const LAST_MS = EPOCH + 2 ** 41 - 1;

describe('message ids', () => {
  test('are safe integers that JSON.parse reads exactly, increasing within a generator', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 31 }),
        fc.integer({ min: EPOCH + 10_000, max: LAST_MS - 10_000 }),
        // Each step moves the clock by -3..+3 ms, so bursts, steps back and jumps all occur.
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 600 }),
        (worker, start, steps) => {
          let clock = start;
          const generator = createIdGenerator(worker, () => clock);
          let previous = -1;
          for (const step of steps) {
            clock += step;
            const id = generator.next();
            const parsed = JSON.parse(`{"messageId":${id}}`).messageId as number;
            expect(Number.isSafeInteger(parsed)).toBe(true);
            expect(String(parsed)).toBe(id);
            expect(parsed).toBeGreaterThan(previous);
            previous = parsed;
          }
        },
      ),
    );
  });

  test('increase strictly within one generator, even past 128 ids in one millisecond', () => {
    const generator = createIdGenerator(7, () => 1_800_000_000_000);
    const ids = Array.from({ length: 10_000 }, () => Number(generator.next()));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });

  test('never repeat when the clock steps back', () => {
    let now = 1_800_000_000_000;
    const generator = createIdGenerator(3, () => now);
    const first = generator.next();
    now -= 5_000;
    expect(Number(generator.next()) > Number(first)).toBe(true);
  });

  test('from different workers in the same millisecond differ, bursts included', () => {
    const clock = () => 1_800_000_000_000;
    const seen = new Set<string>();
    for (let worker = 0; worker <= 31; worker++) {
      const generator = createIdGenerator(worker, clock);
      for (let i = 0; i < 300; i++) seen.add(generator.next());
    }
    expect(seen.size).toBe(32 * 300);
  });

  test('order by issue time across workers', () => {
    const early = createIdGenerator(31, () => 1_800_000_000_000).next();
    const later = createIdGenerator(0, () => 1_800_000_000_001).next();
    expect(Number(later) > Number(early)).toBe(true);
  });

  test('carry their issue time', () => {
    const generator = createIdGenerator(0, () => 1_800_000_123_456);
    expect(idTimestampMs(generator.next())).toBe(1_800_000_123_456);
  });

  test('issued before the 53-bit layout still tell their issue time', () => {
    // Issued on 2026-11-30 by the first layout (41-bit ms, 10-bit worker, 12-bit sequence).
    const issuedAt = Date.parse('2026-11-30T12:00:00Z');
    const legacy = ((BigInt(issuedAt - EPOCH) << 22n) | (5n << 12n) | 17n).toString();
    expect(BigInt(legacy) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(idTimestampMs(legacy)).toBe(issuedAt);
  });

  test('refuse a worker id outside 5 bits', () => {
    expect(() => createIdGenerator(32)).toThrow(/0..31/);
  });

  test('refuse to issue outside the layout range instead of overflowing 53 bits', () => {
    expect(() => createIdGenerator(0, () => LAST_MS + 1).next()).toThrow(RangeError);
    expect(Number.isSafeInteger(Number(createIdGenerator(31, () => LAST_MS).next()))).toBe(true);
  });
});

test('prefixed ids name their kind and sort by creation time', () => {
  const earlier = prefixedId('device', 1_800_000_000_000);
  const later = prefixedId('device', 1_800_000_000_001);
  expect(earlier).toMatch(/^dev_[0-9a-z]{26}$/);
  expect(earlier < later).toBe(true);
});
