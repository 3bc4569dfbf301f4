import { describe, expect, test } from 'vitest';
import { createIdGenerator, idTimestampMs } from '../src/snowflake.js';
import { prefixedId } from '../src/prefixed.js';

describe('message ids', () => {
  test('are decimal strings of a 64-bit integer that round-trip through BigInt', () => {
    const id = createIdGenerator(1).next();
    expect(id).toMatch(/^\d{1,19}$/);
    expect(BigInt(id) < 2n ** 63n).toBe(true);
  });

  test('increase strictly within one generator, even past 4096 ids in one millisecond', () => {
    const generator = createIdGenerator(7, () => 1_800_000_000_000);
    const ids = Array.from({ length: 10_000 }, () => BigInt(generator.next()));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });

  test('never repeat when the clock steps back', () => {
    let now = 1_800_000_000_000;
    const generator = createIdGenerator(3, () => now);
    const first = generator.next();
    now -= 5_000;
    expect(BigInt(generator.next()) > BigInt(first)).toBe(true);
  });

  test('from two workers in the same millisecond differ', () => {
    const clock = () => 1_800_000_000_000;
    const a = createIdGenerator(1, clock);
    const b = createIdGenerator(2, clock);
    const fromA = new Set(Array.from({ length: 1000 }, () => a.next()));
    for (let i = 0; i < 1000; i++) expect(fromA.has(b.next())).toBe(false);
  });

  test('carry their issue time', () => {
    const generator = createIdGenerator(0, () => 1_800_000_123_456);
    expect(idTimestampMs(generator.next())).toBe(1_800_000_123_456);
  });

  test('refuse a worker id outside 10 bits', () => {
    expect(() => createIdGenerator(1024)).toThrow(/0..1023/);
  });
});

test('prefixed ids name their kind and sort by creation time', () => {
  const earlier = prefixedId('device', 1_800_000_000_000);
  const later = prefixedId('device', 1_800_000_000_001);
  expect(earlier).toMatch(/^dev_[0-9a-z]{26}$/);
  expect(earlier < later).toBe(true);
});
