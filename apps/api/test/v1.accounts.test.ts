import { describe, expect } from 'vitest';
import { asKey, childWithKey, expectLedgerBalanced, type KeyClient } from './support/accounts.js';
import { SLOW, type TestGateway, validMessage, test } from './support/gateway.js';

/** The account tree through /v1: who may see and change what, keys, statuses. */

let t: TestGateway;
let platform: KeyClient;
let resellerA: { id: string; client: KeyClient };
let resellerB: { id: string; client: KeyClient };
let customerA: { id: string; client: KeyClient };

test.beforeAll(async ({ gateway }) => {
  t = gateway;
  platform = asKey(t, await t.platformKey());
  resellerA = await childWithKey(platform, t, { name: 'Reseller A', kind: 'reseller' });
  resellerB = await childWithKey(platform, t, { name: 'Reseller B', kind: 'reseller' });
  customerA = await childWithKey(resellerA.client, t, {
    name: 'Customer of A',
    kind: 'customer',
    markupBps: 1_000,
  });
}, SLOW);


const notFound = { code: 'REJECTED', reasons: [{ key: 'not.found' }], description: expect.any(String) };

describe('a reseller manages its own subtree and nothing else', () => {
  test('creates accounts of any depth below itself, each with the parent, kind and currency it inherits', async () => {
    const subReseller = await childWithKey(resellerA.client, t, { name: 'Sub-reseller', kind: 'reseller' });
    const deep = await resellerA.client.post('/v1/accounts', {
      name: 'Deep',
      kind: 'customer',
      parentId: subReseller.id,
    });
    expect(deep.status).toBe(201);
    expect(deep.body).toMatchObject({
      name: 'Deep',
      kind: 'customer',
      status: 'active',
      parentId: subReseller.id,
      currency: 'RUB',
      balanceMinor: 0,
      markupBps: 0,
      dailyQuota: null,
    });
    const list = await resellerA.client.get('/v1/accounts?limit=2');
    expect(list.body.data).toHaveLength(2);
    const rest = await resellerA.client.get(`/v1/accounts?limit=2&cursor=${list.body.nextCursor}`);
    const ids = [...list.body.data, ...rest.body.data].map((account: { id: string }) => account.id);
    expect(ids).toEqual([customerA.id, subReseller.id, deep.body.id]);
    expect(rest.body.nextCursor).toBeNull();
    const children = await resellerA.client.get(`/v1/accounts?parentId=${subReseller.id}`);
    expect(children.body.data.map((account: { id: string }) => account.id)).toEqual([deep.body.id]);
  });

  test("another reseller's accounts answer 404, exactly like missing ones, for every route", async () => {
    const b = resellerB.client;
    const path = `/v1/accounts/${customerA.id}`;
    const answers = [
      await b.get(path),
      await b.patch(path, { status: 'suspended' }),
      await b.get(`${path}/prices`),
      await b.put(`${path}/prices`, { prices: [] }),
      await b.post(`${path}/credit`, { amountMinor: 100 }),
      await b.get(`${path}/keys`),
      await b.post(`${path}/keys`, { name: 'x', scopes: ['send'] }),
      await b.get(`/v1/usage?from=2026-12-01&to=2026-12-01&accountId=${customerA.id}`),
      await b.post('/v1/accounts', { name: 'x', kind: 'customer', parentId: customerA.id }),
      await b.get(`/v1/accounts?parentId=${customerA.id}`),
      await b.get('/v1/accounts/acc_does_not_exist'),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(notFound);
    }
    expect((await b.get('/v1/accounts')).body.data).toEqual([]);
    // Nor may a customer see its parent, or a reseller its platform.
    expect((await customerA.client.get(`/v1/accounts/${resellerA.id}`)).status).toBe(404);
    expect((await resellerA.client.get('/v1/accounts/acc_platform')).status).toBe(404);
  });

  test('a customer has no sub-accounts, and nobody changes its own status, prices, credit or quotas', async () => {
    const created = await customerA.client.post('/v1/accounts', { name: 'x', kind: 'customer' });
    expect(created.status).toBe(403);
    expect(created.body.reasons).toEqual([{ key: 'forbidden' }]);
    for (const answer of [
      await resellerA.client.patch(`/v1/accounts/${resellerA.id}`, { creditLimitMinor: 1_000_000 }),
      await resellerA.client.put(`/v1/accounts/${resellerA.id}/prices`, { prices: [] }),
      await customerA.client.patch(`/v1/accounts/${customerA.id}`, { dailyQuota: null }),
    ]) {
      expect(answer.status).toBe(403);
      expect(answer.body.description).toMatch(/set by its parent/);
    }
  });

  test('credit moves only between an account and its direct parent, and only money the payer has', async () => {
    expect(
      (await platform.post(`/v1/accounts/${resellerA.id}/credit`, { amountMinor: 5_000, memo: 'invoice 1' }))
        .status,
    ).toBe(200);
    const moved = await resellerA.client.post(`/v1/accounts/${customerA.id}/credit`, { amountMinor: 2_000 });
    expect(moved.status).toBe(200);
    expect(moved.body.account.balanceMinor).toBe(2_000);
    expect(moved.body.from.balanceMinor).toBe(3_000);
    const back = await resellerA.client.post(`/v1/accounts/${customerA.id}/credit`, { amountMinor: -500 });
    expect(back.body.account.balanceMinor).toBe(1_500);

    const tooMuch = await resellerA.client.post(`/v1/accounts/${customerA.id}/credit`, {
      amountMinor: 3_501,
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.reasons).toEqual([{ key: 'billing.error' }]);
    const grandchild = await platform.post(`/v1/accounts/${customerA.id}/credit`, { amountMinor: 1 });
    expect(grandchild.status).toBe(409);
    expect(grandchild.body.reasons).toEqual([{ key: 'conflict' }]);
    const zero = await resellerA.client.post(`/v1/accounts/${customerA.id}/credit`, { amountMinor: 0 });
    expect(zero.status).toBe(400);
    expect(zero.body.reasons).toEqual([{ key: 'invalid', ref: 'amountMinor' }]);
    await expectLedgerBalanced(t);
  });

  test('bad input is 400 with the field named', async () => {
    const bad = await resellerA.client.post('/v1/accounts', { name: '', kind: 'emperor', markupBps: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.reasons.map((reason: { ref: string }) => reason.ref).sort()).toEqual([
      'kind',
      'markupBps',
      'name',
    ]);
    const prices = await resellerA.client.put(`/v1/accounts/${customerA.id}/prices`, {
      prices: [{ country: 'Russia', kind: 'text', priceMinor: 1.5 }],
    });
    expect(prices.status).toBe(400);
    expect(prices.body.reasons.map((reason: { ref: string }) => reason.ref).sort()).toEqual([
      'prices.0.country',
      'prices.0.priceMinor',
    ]);
  });
});

describe('API keys', () => {
  test('a key is shown once with its wag_ prefix, stored only as a hash, listed without the secret', async () => {
    const created = await resellerA.client.post(`/v1/accounts/${customerA.id}/keys`, {
      name: 'CRM',
      scopes: ['send', 'read'],
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^wag_[A-Za-z0-9_-]{32}$/);
    expect(created.body.prefix).toBe(created.body.key.slice(0, 8));
    const stored = await t.gateway.billing.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(created.body.key);

    const client = asKey(t, created.body.key);
    expect((await client.get('/v1/balance')).status).toBe(200);
    expect((await client.get(`/v1/accounts/${customerA.id}/keys`)).status).toBe(200);
    const listed = await customerA.client.get(`/v1/accounts/${customerA.id}/keys`);
    const entry = listed.body.data.find((key: { id: string }) => key.id === created.body.id);
    expect(entry).toEqual({
      id: created.body.id,
      accountId: customerA.id,
      name: 'CRM',
      prefix: created.body.prefix,
      scopes: ['send', 'read'],
      createdAt: expect.any(String),
      expiresAt: null,
      lastUsedAt: expect.any(String),
      revokedAt: null,
    });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    // Its scopes hold: a send+read key cannot manage.
    expect(
      (await client.post(`/v1/accounts/${customerA.id}/keys`, { name: 'x', scopes: ['manage'] })).status,
    ).toBe(403);
  });

  test('rotation: the new key and the old one both work until the old one is revoked, then only the new', async () => {
    const created = await customerA.client.post(`/v1/accounts/${customerA.id}/keys`, {
      name: 'rotating',
      scopes: ['read'],
    });
    const old = asKey(t, created.body.key);
    expect((await old.get('/v1/balance')).status).toBe(200);
    const rotated = await customerA.client.post(
      `/v1/accounts/${customerA.id}/keys/${created.body.id}/rotate`,
    );
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ name: 'rotating', scopes: ['read'] });
    const fresh = asKey(t, rotated.body.key);
    expect((await fresh.get('/v1/balance')).status).toBe(200);
    expect((await old.get('/v1/balance')).status).toBe(200);

    const revoked = await customerA.client.delete(`/v1/accounts/${customerA.id}/keys/${created.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    // Billing's event takes the old key out of the api's cache at once (the cache keeps keys 30 s otherwise).
    await expect.poll(async () => (await old.get('/v1/balance')).status, { timeout: 5_000 }).toBe(401);
    expect((await fresh.get('/v1/balance')).status).toBe(200);
    expect(
      (await customerA.client.post(`/v1/accounts/${customerA.id}/keys/${created.body.id}/rotate`)).status,
    ).toBe(409);
  });

  test('a key with an expiry stops working when it expires; one in the past is refused', async () => {
    const expiresAt = new Date(Date.now() + 1_500).toISOString();
    const created = await customerA.client.post(`/v1/accounts/${customerA.id}/keys`, {
      name: 'short',
      scopes: ['read'],
      expiresAt,
    });
    expect(created.body.expiresAt).toBe(expiresAt);
    const client = asKey(t, created.body.key);
    expect((await client.get('/v1/balance')).status).toBe(200);
    await expect.poll(async () => (await client.get('/v1/balance')).status, { timeout: 5_000 }).toBe(401);
    const past = await customerA.client.post(`/v1/accounts/${customerA.id}/keys`, {
      name: 'past',
      scopes: ['read'],
      expiresAt: '2020-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
  });
});

describe('suspend, reactivate, close', () => {
  test("suspending a reseller stops its whole subtree's keys with 403 until it is reactivated", async () => {
    expect((await customerA.client.get('/v1/balance')).status).toBe(200);
    expect((await platform.patch(`/v1/accounts/${resellerA.id}`, { status: 'suspended' })).body.status).toBe(
      'suspended',
    );
    await expect
      .poll(async () => (await customerA.client.get('/v1/balance')).status, { timeout: 5_000 })
      .toBe(403);
    const refused = await customerA.client.send([validMessage]);
    expect(refused.body).toEqual({
      code: 'REJECTED',
      reasons: [{ key: 'forbidden' }],
      description: 'the account (or an account above it) is suspended; its reseller can reactivate it',
    });
    expect((await resellerA.client.get('/v1/balance')).status).toBe(403);
    await platform.patch(`/v1/accounts/${resellerA.id}`, { status: 'active' });
    await expect
      .poll(async () => (await customerA.client.get('/v1/balance')).status, { timeout: 5_000 })
      .toBe(200);
  });

  test('closing needs every sub-account closed first, is final, and revokes the keys', async () => {
    const shortLived = await childWithKey(resellerB.client, t, { name: 'Short-lived', kind: 'reseller' });
    const leaf = await childWithKey(shortLived.client, t, { name: 'Leaf', kind: 'customer' });
    const refused = await resellerB.client.patch(`/v1/accounts/${shortLived.id}`, { status: 'closed' });
    expect(refused.status).toBe(409);
    expect(refused.body.description).toBe(`close the sub-account "${leaf.id}" first`);

    expect((await leaf.client.get('/v1/balance')).status).toBe(200);
    expect((await resellerB.client.patch(`/v1/accounts/${leaf.id}`, { status: 'closed' })).body.status).toBe(
      'closed',
    );
    await expect
      .poll(async () => (await leaf.client.get('/v1/balance')).status, { timeout: 5_000 })
      .toBe(401);
    const keys = await resellerB.client.get(`/v1/accounts/${leaf.id}/keys`);
    expect(keys.body.data.every((key: { revokedAt: string | null }) => key.revokedAt !== null)).toBe(true);
    const reopen = await resellerB.client.patch(`/v1/accounts/${leaf.id}`, { status: 'active' });
    expect(reopen.status).toBe(409);
    expect((await resellerB.client.patch(`/v1/accounts/${shortLived.id}`, { status: 'closed' })).status).toBe(
      200,
    );
  });
});
