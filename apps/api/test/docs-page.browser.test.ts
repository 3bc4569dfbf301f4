import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SLOW, startTestGateway, type TestGateway } from './support/gateway.js';

const run = promisify(execFile);
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
// CI installs Debian's chromium and sets this, so the page is always checked there; a
// developer machine without a browser skips this one test.
const required = process.env.WAGATE_REQUIRE_BROWSER === '1';
if (required && !chromium) throw new Error('WAGATE_REQUIRE_BROWSER=1 but no chromium is installed');

let gateway: TestGateway;
beforeAll(async () => {
  if (chromium) gateway = await startTestGateway({ simDevices: 0 });
}, SLOW);
afterAll(async () => gateway?.stop(), SLOW);

test.skipIf(!chromium)(
  'the /docs page renders every operation in a real browser without reaching the internet',
  async () => {
    const profile = mkdtempSync(join(tmpdir(), 'wagate-chromium-'));
    try {
      // The flags keep Chromium off the network (this machine has none) and headless.
      const { stdout } = await run(
        chromium!,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          `--user-data-dir=${profile}`,
          '--virtual-time-budget=15000',
          '--dump-dom',
          `${gateway.url}/docs`,
        ],
        { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
      );
      // Swagger UI builds these elements only after fetching /openapi.json and running its scripts.
      expect(stdout).toContain('swagger-ui');
      for (const path of ['/whatsapp/messages', '/v1/messages', '/v1/senders', '/v1/balance']) {
        expect(stdout).toMatch(new RegExp(`opblock-summary-path[^>]*>.*?${path.replace(/\//g, '\\/')}`, 's'));
      }
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  },
  SLOW,
);
