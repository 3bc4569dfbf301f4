import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createOfflineApiApp } from '../src/index.js';
import { limits } from '../src/validation/limits.js';

/** Every answer names its request id (operations.md: the access line's `request_id`), however it was made. */

let built: string;
beforeAll(() => {
  built = mkdtempSync(join(tmpdir(), 'wagate-console-'));
  writeFileSync(join(built, 'index.html'), '<!doctype html><title>console</title>');
});
afterAll(() => rmSync(built, { recursive: true, force: true }));

const requests: Array<[string, string, RequestInit?]> = [
  ['a redirect', '/'],
  ['a static file', '/console/'],
  ['the OpenAPI document', '/openapi.json'],
  ['the docs page', '/docs'],
  ['the health check', '/healthz'],
  ['an unknown route (404)', '/nowhere'],
  ['a send without a key (401)', '/whatsapp/messages', { method: 'POST', body: '{}' }],
  [
    'a body over the limit (413)',
    '/whatsapp/messages',
    { method: 'POST', headers: { 'content-length': String(limits.maxBodyBytes + 1) }, body: 'x' },
  ],
];

test.each(requests)('%s answers with the caller’s x-request-id', async (_, path, init) => {
  const app = createOfflineApiApp({ consoleDir: built });
  const response = await app.request(path, {
    ...init,
    headers: { ...(init?.headers as Record<string, string>), 'x-request-id': 'support-ticket-42' },
  });
  expect(response.headers.get('x-request-id')).toBe('support-ticket-42');
});

test('a request without one, or with one that is not a plain token, gets a fresh id', async () => {
  const app = createOfflineApiApp({ consoleDir: built });
  const fresh = (await app.request('/healthz')).headers.get('x-request-id');
  expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
  const refused = await app.request('/healthz', { headers: { 'x-request-id': 'a b\u0007c' } });
  expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
});
