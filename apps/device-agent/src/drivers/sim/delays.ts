import type { Prng } from './prng.js';

/** A uniform delay: every whole millisecond from `min` to `max` (both inclusive) equally likely. */
export interface DelayRange {
  min: number;
  max: number;
}

/**
 * A log-normal delay, as human and network latencies are: half the draws fall below
 * `medianMs`; `spread` is σ of its logarithm (0: always the median; 1: a tenth of draws
 * beyond about 3.6 × the median).
 */
export interface LogNormalDelay {
  medianMs: number;
  spread: number;
}

export type Delay = DelayRange | LogNormalDelay;

/** Draws one delay in whole milliseconds. Always takes exactly two numbers from the PRNG. */
export function drawDelay(prng: Prng, delay: Delay): number {
  const u1 = prng.next();
  const u2 = prng.next();
  if ('min' in delay) return delay.min + Math.floor(u1 * (delay.max - delay.min + 1));
  // Box–Muller: two uniforms make one standard normal (1 - u1 keeps the logarithm finite).
  const normal = Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  return Math.round(delay.medianMs * Math.exp(delay.spread * normal));
}

/** A draw from the exponential distribution with this mean: the wait until a random event. */
export function drawExponential(prng: Prng, meanMs: number): number {
  return Math.round(-meanMs * Math.log(1 - prng.next()));
}

/** A stable number in [0, 1) for a string (FNV-1a), so a recipient's fate never depends on order. */
export function hashShare(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 4_294_967_296;
}
