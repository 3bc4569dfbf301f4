import { existsSync } from 'node:fs';

/**
 * Debian's Chromium, for tests that check pages in a real browser (no browser download: this
 * machine and CI have no network for that). Undefined when none is installed.
 */
export const chromiumPath: string | undefined = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (path) => existsSync(path),
);

/** Keeps Chromium headless and off the network (the machine has none). */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * CI installs Debian's chromium and sets WAGATE_REQUIRE_BROWSER=1, so browser tests always run
 * there; a developer machine without a browser skips them. Throws when required and missing.
 */
export function browserAvailable(): boolean {
  if (process.env.WAGATE_REQUIRE_BROWSER === '1' && !chromiumPath) {
    throw new Error('WAGATE_REQUIRE_BROWSER=1 but no chromium is installed');
  }
  return chromiumPath !== undefined;
}
