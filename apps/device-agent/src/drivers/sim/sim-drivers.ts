import { join } from 'node:path';
import { deriveSeed } from './prng.js';
import { createSimDriver, type SimDriver, type SimDriverOptions } from './sim-driver.js';

export interface SimDriversOptions
  extends Omit<SimDriverOptions, 'seed' | 'phoneNumber' | 'deviceKey' | 'sentRecordFile'> {
  seed?: number;
  /** A directory where each phone keeps its record of what it sent (`<phone number>.sent.jsonl`). */
  sentRecordDir?: string;
  /** Digits; device i (from 0) gets numberBase + i. */
  numberBase?: string;
}

/** A host's worth of simulated phones with consecutive numbers, each with its own seed. */
export function createSimDrivers(count: number, options: SimDriversOptions = {}): SimDriver[] {
  const { seed = 1, numberBase = '79990000001', sentRecordDir, ...rest } = options;
  if (!/^\d+$/.test(numberBase)) throw new RangeError(`number base must be digits, got "${numberBase}"`);
  // BigInt, so a long base never loses digits to floating point.
  const base = BigInt(numberBase);
  return Array.from({ length: count }, (_, index) => {
    const phoneNumber = String(base + BigInt(index));
    return createSimDriver({
      ...rest,
      seed: deriveSeed(seed, index),
      phoneNumber,
      ...(sentRecordDir ? { sentRecordFile: join(sentRecordDir, `${phoneNumber}.sent.jsonl`) } : {}),
    });
  });
}
