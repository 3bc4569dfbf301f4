import { type Delay, drawDelay, drawExponential } from './delays.js';
import type { Prng } from './prng.js';

/** Random losses of the phone's network: how often they start and how long they last. */
export interface DisconnectOptions {
  /** Mean time online between two losses (exponentially distributed, like any random event). */
  meanOnlineMs: number;
  /** How long each loss lasts. */
  offlineMs: Delay;
}

/**
 * The phone's offline windows, drawn from their own PRNG in order from `startMs`: what the
 * network does never depends on what the phone sends, and the same seed gives the same windows.
 */
export function createNetwork(options: DisconnectOptions | undefined, prng: Prng, startMs: number) {
  const windows: Array<{ from: number; to: number }> = [];
  let drawnUntil = startMs;
  function drawUntil(ms: number): void {
    if (!options) return;
    while (drawnUntil <= ms) {
      const from = drawnUntil + drawExponential(prng, options.meanOnlineMs);
      const to = from + Math.max(1, drawDelay(prng, options.offlineMs));
      windows.push({ from, to });
      drawnUntil = to;
    }
  }
  return {
    /** When the network is back if it is down at `ms`; undefined while it is up. */
    backAt(ms: number): number | undefined {
      drawUntil(ms);
      // Asked with the phone's clock, which only moves forward: past windows are done with.
      while (windows.length > 0 && windows[0]!.to <= ms) windows.shift();
      return windows.find((window) => window.from <= ms && ms < window.to)?.to;
    },
  };
}
