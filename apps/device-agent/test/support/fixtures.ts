import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Hand-made outputs of adb commands, not recordings: see apps/device-agent/README.md. */
export const fixturesDir = fileURLToPath(new URL('../fixtures/adb/', import.meta.url));

export function fixture(name: string): string {
  return readFileSync(join(fixturesDir, name), 'utf8');
}
