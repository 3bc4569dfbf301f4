import { deriveSeed } from './prng.js';
import { createSimDriver, type SimDriver, type SimDriverOptions } from './sim-driver.js';

export interface SimDriversOptions extends Omit<SimDriverOptions, 'seed' | 'phoneNumber' | 'deviceKey'> {
  seed?: number;
  /** Digits; device i (from 0) gets numberBase + i. */
  numberBase?: string;
}

/** A host's worth of simulated phones with consecutive numbers, each with its own seed. */
export function createSimDrivers(count: number, options: SimDriversOptions = {}): SimDriver[] {
  const { seed = 1, numberBase = '79990000001', ...rest } = options;
  if (!/^\d+$/.test(numberBase)) throw new RangeError(`number base must be digits, got "${numberBase}"`);
  // BigInt, so a long base never loses digits to floating point.
  const base = BigInt(numberBase);
  return Array.from({ length: count }, (_, index) =>
    createSimDriver({ ...rest, seed: deriveSeed(seed, index), phoneNumber: String(base + BigInt(index)) }),
  );
}
