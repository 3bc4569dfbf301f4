/**
 * mulberry32: a tiny seeded PRNG. Good enough to make a simulated phone's delays and coin
 * flips repeatable from a seed; not for anything that needs real randomness.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  between(range: { min: number; max: number }): number;
}

export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    between: ({ min, max }) => min + Math.floor(next() * (max - min + 1)),
  };
}

/** A seed for the i-th member of a family, so neighbouring devices do not share one stream. */
export function deriveSeed(seed: number, index: number): number {
  return (seed + Math.imul(index + 1, 0x9e3779b9)) >>> 0;
}
