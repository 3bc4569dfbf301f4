import { createHash } from 'node:crypto';
import { openDatabase, type Database } from '@wagate/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { connectPeers, createApiApp } from '../src/index.js';
import { createIdGenerator } from '@wagate/ids';
import { SLOW, startTestGateway, type TestGateway } from './support/gateway.js';

/** Console sessions: a key signed in once, then a cookie that is checked like the key. */

let t: TestGateway;
let database: Database;
beforeAll(async () => {
  t = await startTestGateway({ simDevices: 0 });
  database = await openDatabase(t.databaseUrl);
}, SLOW);
afterAll(async () => {
  await database?.close();
  await t?.stop();
}, SLOW);

const guard = { 'x-wagate-console': '1' };

async function signIn(key = t.apiKey): Promise<{ cookie: string; setCookie: string; body: unknown }> {
  const response = await fetch(`${t.url}/v1/session`, {
    method: 'POST',
    headers: { authorization: `Key ${key}` },
  });
  expect(response.status).toBe(201);
  const setCookie = response.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0]!, setCookie, body: await response.json() };
}

const withCookie = (cookie: string, path: string, init: RequestInit = {}) =>
  fetch(`${t.url}${path}`, { ...init, headers: { cookie, ...(init.headers as Record<string, string>) } });

test('signing in sets an HttpOnly, SameSite=Strict session cookie that reads like the key', async () => {
  const { cookie, setCookie, body } = await signIn();
  expect(setCookie).toMatch(/^wagate_session=[A-Za-z0-9_-]{43};/);
  expect(setCookie).toContain('HttpOnly');
  expect(setCookie).toContain('SameSite=Strict');
  expect(setCookie).toContain('Path=/');
  // The embedded gateway is plain http on this machine; production's api marks it Secure.
  expect(setCookie).not.toContain('Secure');
  expect(body).toMatchObject({ accountId: t.accountId, scopes: ['send', 'read', 'manage'] });

  const balance = await withCookie(cookie, '/v1/balance');
  expect(balance.status).toBe(200);
  expect(await balance.json()).toMatchObject({ accountId: t.accountId });
  const session = await (await withCookie(cookie, '/v1/session')).json();
  expect(session).toMatchObject({ accountId: t.accountId, expiresAt: expect.any(String) });
});

test('only a hash of the session id is stored, beside the hash of the key', async () => {
  const { cookie } = await signIn();
  const sessionId = cookie.split('=')[1]!;
  const rows = await sql<{
    id_hash: string;
    key_hash: string;
  }>`select id_hash, key_hash from api.console_sessions`.execute(database.db);
  const hash = (value: string) => createHash('sha256').update(value).digest('hex');
  expect(rows.rows.map((row) => row.id_hash)).toContain(hash(sessionId));
  expect(rows.rows.some((row) => row.id_hash === sessionId)).toBe(false);
  expect(rows.rows.every((row) => row.key_hash === hash(t.apiKey))).toBe(true);
});

test('a session may do only what its key may: a read-only key cannot send', async () => {
  const readOnly = await t.createKey(['read']);
  const { cookie } = await signIn(readOnly);
  const response = await withCookie(cookie, '/whatsapp/messages', {
    method: 'POST',
    headers: { ...guard, 'content-type': 'application/json' },
    body: JSON.stringify({ messages: [{ from: 'MyCompany', to: '79034567890', text: 'hi' }] }),
  });
  expect(response.status).toBe(403);
  expect(await response.json()).toMatchObject({ reasons: [{ key: 'forbidden' }] });
});

test("a session sees its own account's tree only: another tenant's account answers 404", async () => {
  const other = await t.createKey(['read', 'manage'], 'acc_session_other');
  const { cookie } = await signIn(other);
  expect((await withCookie(cookie, `/v1/accounts/${t.accountId}/keys`)).status).toBe(404);
  expect((await withCookie(cookie, '/v1/balance').then((r) => r.json())) as object).toMatchObject({
    accountId: 'acc_session_other',
  });
});

test('an unsafe request of a session without the console header, or from another site, is refused', async () => {
  const { cookie } = await signIn();
  const create = (headers: Record<string, string>) =>
    withCookie(cookie, `/v1/accounts/${t.accountId}/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ name: 'csrf', scopes: ['read'] }),
    });
  const bare = await create({});
  expect(bare.status).toBe(403);
  expect(await bare.json()).toMatchObject({
    reasons: [{ key: 'forbidden' }],
    description: expect.stringContaining('x-wagate-console'),
  });
  expect((await create({ ...guard, origin: 'https://evil.example' })).status).toBe(403);
  expect((await create({ ...guard, origin: t.url })).status).toBe(201);
  // A key needs no such header: it is never sent by a browser on its own.
  const withKey = await t.request(`/v1/accounts/${t.accountId}/keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'api', scopes: ['read'] }),
  });
  expect(withKey.status).toBe(201);
});

test('signing out ends the session on the server, not only in the browser', async () => {
  const { cookie } = await signIn();
  const out = await withCookie(cookie, '/v1/session', { method: 'DELETE', headers: guard });
  expect(out.status).toBe(204);
  expect(out.headers.get('set-cookie')).toMatch(/wagate_session=;.*Max-Age=0/);
  const after = await withCookie(cookie, '/v1/balance');
  expect(after.status).toBe(401);
  expect(await after.json()).toMatchObject({ description: expect.stringContaining('sign in again') });
});

test('an expired session is refused by the server whatever the browser keeps', async () => {
  const { cookie } = await signIn();
  await sql`update api.console_sessions set expires_at = now() - interval '1 second' where id_hash = ${createHash(
    'sha256',
  )
    .update(cookie.split('=')[1]!)
    .digest('hex')}`.execute(database.db);
  expect((await withCookie(cookie, '/v1/balance')).status).toBe(401);
});

test('revoking the key ends every session signed in with it', async () => {
  const created = await t.request(`/v1/accounts/${t.accountId}/keys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'console', scopes: ['read'] }),
  });
  const { id, key } = (await created.json()) as { id: string; key: string };
  const { cookie } = await signIn(key);
  expect((await withCookie(cookie, '/v1/balance')).status).toBe(200);
  expect((await t.request(`/v1/accounts/${t.accountId}/keys/${id}`, { method: 'DELETE' })).status).toBe(200);
  // Billing announces the revocation on the bus; the api drops its cached lookup when it arrives.
  await vi.waitFor(async () => expect((await withCookie(cookie, '/v1/balance')).status).toBe(401), {
    timeout: 30_000,
    interval: 100,
  });
});

test('a session cannot be made from a session: signing in takes the key itself', async () => {
  const { cookie } = await signIn();
  const response = await withCookie(cookie, '/v1/session', { method: 'POST', headers: guard });
  expect(response.status).toBe(401);
  expect((await withCookie('wagate_session=forged', '/v1/balance')).status).toBe(401);
});

test('the api as production runs it marks the cookie Secure', async () => {
  // The same app the api process serves (apps/api main.ts), over the gateway's services and database.
  const app = createApiApp({
    peers: connectPeers(t.gateway.grpcAddresses, t.gateway.internalPlaneFor('api')),
    ids: createIdGenerator(1),
    database,
  });
  const response = await app.request('/v1/session', {
    method: 'POST',
    headers: { authorization: `Key ${t.apiKey}` },
  });
  expect(response.status).toBe(201);
  expect(response.headers.get('set-cookie')).toMatch(/HttpOnly.*Secure|Secure.*HttpOnly/);
  expect(response.headers.get('set-cookie')).toContain('SameSite=Strict');
});
