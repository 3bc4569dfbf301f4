import type { Phone } from './phone.js';
import { pollUntil } from './poll.js';
import { classifyScreen, type Screen, type ScreenPatterns } from './screens.js';

export interface ScreenReader {
  /** The screen now, or undefined when it could not be read this time. */
  look(): Promise<Screen | undefined>;
  /**
   * Looks at the screen until `pick` accepts it or `timeoutMs` passes. `last` is the last
   * screen seen either way, so a time-out can say what the phone was showing instead.
   */
  waitFor<T>(
    pick: (screen: Screen) => T | undefined,
    timeoutMs: number,
  ): Promise<{ found: T | undefined; last: Screen | undefined }>;
}

export interface ScreenReaderOptions {
  whatsappPackage: string;
  patterns: ScreenPatterns;
  pollIntervalMs: number;
  /** Every screen read, so the driver learns WhatsApp's state from whatever it happens to see. */
  onScreen(screen: Screen): void;
}

export function createScreenReader(phone: Phone, options: ScreenReaderOptions): ScreenReader {
  async function look(): Promise<Screen | undefined> {
    const dump = await phone.dump();
    if (!dump) return undefined;
    const screen = classifyScreen(dump, options.whatsappPackage, options.patterns);
    options.onScreen(screen);
    return screen;
  }

  return {
    look,
    async waitFor(pick, timeoutMs) {
      let last: Screen | undefined;
      const found = await pollUntil(
        async () => {
          const screen = await look();
          if (!screen) return undefined;
          last = screen;
          return pick(screen);
        },
        { timeoutMs, intervalMs: options.pollIntervalMs },
      );
      return { found, last };
    },
  };
}
