import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { browserAvailable, CHROMIUM_FLAGS, chromiumPath } from '@wagate/testkit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SLOW, startTestGateway, type TestGateway } from './support/gateway.js';

const run = promisify(execFile);
// CI sets WAGATE_REQUIRE_BROWSER=1, so the page is always checked there; a developer machine
// without a browser skips this one test.
const chromium = browserAvailable() ? chromiumPath : undefined;

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
          ...CHROMIUM_FLAGS,
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
