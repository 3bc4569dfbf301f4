import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createOfflineApiApp } from '../src/index.js';

/** The console's static files at /console/, served by the api app (and so by the gateway). */

let built: string;
beforeAll(() => {
  built = mkdtempSync(join(tmpdir(), 'wagate-console-'));
  mkdirSync(join(built, 'assets'));
  writeFileSync(
    join(built, 'index.html'),
    '<!doctype html><title>console</title><script src="/console/assets/app-1.js"></script>',
  );
  writeFileSync(join(built, 'assets', 'app-1.js'), 'console.log(1)');
  writeFileSync(join(built, 'secret.txt'), 'not an asset');
});
afterAll(() => rmSync(built, { recursive: true, force: true }));

test('GET / leads to the console', async () => {
  const response = await createOfflineApiApp({ consoleDir: built }).request('/');
  expect(response.status).toBe(302);
  expect(response.headers.get('location')).toBe('/console/');
});

test('the page is served with a same-origin content security policy, no key needed', async () => {
  const response = await createOfflineApiApp({ consoleDir: built }).request('/console/');
  expect(response.status).toBe(200);
  expect(await response.text()).toContain('<title>console</title>');
  expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(response.headers.get('cache-control')).toBe('no-cache');
});

test('hashed assets are served and cached for good; nothing outside assets/ is', async () => {
  const app = createOfflineApiApp({ consoleDir: built });
  const asset = await app.request('/console/assets/app-1.js');
  expect(asset.status).toBe(200);
  expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
  expect(asset.headers.get('cache-control')).toContain('immutable');
  for (const path of [
    '/console/assets/..%2Fsecret.txt',
    '/console/assets/missing.js',
    '/console/secret.txt',
  ]) {
    const response = await app.request(path);
    expect([path, response.status]).toEqual([path, 404]);
    expect(await response.json()).toMatchObject({ code: 'REJECTED', reasons: [{ key: 'not.found' }] });
  }
});

test('an unbuilt console says how to build it instead of a bare 404', async () => {
  const response = await createOfflineApiApp({ consoleDir: join(built, 'nowhere') }).request('/console/');
  expect(response.status).toBe(503);
  expect(await response.text()).toContain('npm run build --workspace @wagate/console');
});
