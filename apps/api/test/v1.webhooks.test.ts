import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { startCallbackReceiver } from '@wagate/testkit';
import { beforeAll, describe, expect } from 'vitest';
import { asKey, childWithKey, type KeyClient } from './support/accounts.js';
import { SLOW, type TestGateway, test } from './support/gateway.js';

/** `GET` and `PUT /v1/webhooks/incoming`: the account's incoming and default status URLs. */

let t: TestGateway;
test.beforeAll(({ gateway }) => {
  t = gateway;
}, SLOW);

const put = (body: unknown, headers: Record<string, string> = {}) =>
  t.request('/v1/webhooks/incoming', {
    method: 'PUT',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
const get = async (headers: Record<string, string> = {}) => {
  const response = await t.request('/v1/webhooks/incoming', { headers });
  expect(response.status).toBe(200);
  return response.json();
};

test('an account that never set them reads nulls', async () => {
  expect(await get()).toEqual({ incomingUrl: null, statusUrl: null, updatedAt: null });
});

test('PUT sets both URLs, GET reads them back, null clears one', async () => {
  const urls = { incomingUrl: 'https://example.com/incoming', statusUrl: 'https://example.com/status?x=1' };
  const response = await put(urls);
  expect(response.status).toBe(200);
  const stored = await response.json();
  expect(stored).toEqual({ ...urls, updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  expect(await get()).toEqual(stored);

  const cleared = await (await put({ incomingUrl: urls.incomingUrl, statusUrl: null })).json();
  expect(cleared).toMatchObject({ incomingUrl: urls.incomingUrl, statusUrl: null });
});

test('a read-only key may GET but not PUT; another account has its own settings', async () => {
  const readOnly = await t.createKey(['read'], 'acc_v1_webhooks_other');
  expect(await get({ authorization: `Key ${readOnly}` })).toEqual({
    incomingUrl: null,
    statusUrl: null,
    updatedAt: null,
  });
  const response = await put({ incomingUrl: null, statusUrl: null }, { authorization: `Key ${readOnly}` });
  expect(response.status).toBe(403);
  expect(await response.json()).toMatchObject({ reasons: [{ key: 'forbidden' }] });
});

test('a URL that is not absolute http(s) is 400 invalid naming the field', async () => {
  for (const [body, ref] of [
    [{ incomingUrl: 'ftp://example.com/in', statusUrl: null }, 'incomingUrl'],
    [{ incomingUrl: null, statusUrl: '/relative' }, 'statusUrl'],
    [{ incomingUrl: 42, statusUrl: null }, 'incomingUrl'],
  ] as const) {
    const response = await put(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: 'REJECTED',
      reasons: [{ key: 'invalid', ref }],
      description: expect.stringContaining(ref),
    });
  }
});

test('a missing field is 400 must.be.not.null: PUT replaces both, so both are given', async () => {
  const response = await put({ incomingUrl: 'https://example.com/incoming' });
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({
    code: 'REJECTED',
    reasons: [{ key: 'must.be.not.null', ref: 'statusUrl' }],
    description: expect.stringMatching(/statusUrl.*required/),
  });
});

test('bad bodies get the same errors as the send call', async () => {
  const cases: Array<[Response, number, string]> = [
    [await put('{"incomingUrl":'), 400, 'malformed.json'],
    [await put('[]'), 400, 'invalid'],
    [await put('{}', { 'content-type': 'text/plain' }), 415, 'unsupported.media.type'],
  ];
  for (const [response, status, key] of cases) {
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ code: 'REJECTED', reasons: [{ key }] });
  }
});

test('PUT refuses URLs on internal addresses with invalid at the field', async () => {
  const response = await put({
    incomingUrl: 'https://example.com/in',
    statusUrl: 'http://169.254.169.254/latest',
  });
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({
    code: 'REJECTED',
    reasons: [{ key: 'invalid', ref: 'statusUrl' }],
    description: expect.stringMatching(/public address/),
  });
});

test('failed status callbacks are listed and replayed with the same webhook-id', async () => {
  const receiver = await startCallbackReceiver();
  try {
    const dispatchDb = t.gateway.database.db.withSchema('dispatch');
    const body = '[{"messageId":118626985453813760,"status":"SENT"}]';
    const { id } = await dispatchDb
      .insertInto('callbacks')
      .values({
        account_id: t.accountId,
        message_id: '118626985453813760',
        url: `${receiver.url}/status`,
        body,
        state: 'failed',
        attempts: 1,
        next_attempt_at: new Date(),
        last_error: 'HTTP 410',
        traceparent: '',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const listed = await t.request('/v1/webhooks/failed');
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({
      data: [
        {
          webhookId: `cb_${id}`,
          messageId: '118626985453813760',
          url: `${receiver.url}/status`,
          state: 'failed',
          attempts: 1,
          lastError: 'HTTP 410',
          createdAt: expect.stringMatching(/^\d{4}-/),
          body,
        },
      ],
      nextCursor: null,
    });

    const replay = () => t.request(`/v1/webhooks/failed/cb_${id}/replay`, { method: 'POST' });
    expect((await replay()).status).toBe(202);
    const [delivered] = await receiver.waitFor(1);
    expect(delivered!.headers['webhook-id']).toBe(`cb_${id}`);
    expect(delivered!.rawBody).toBe(body);
    expect(((await (await t.request('/v1/webhooks/failed')).json()) as { data: unknown[] }).data).toEqual([]);
    const again = await replay();
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ reasons: [{ key: 'not.found' }] });
  } finally {
    await receiver.close();
  }
});

test('the signing secret is readable and rotates with an overlap in which both secrets verify', async () => {
  const read = async (path: string, method = 'GET') => {
    const response = await t.request(path, { method });
    expect(response.status).toBe(200);
    return (await response.json()) as { secret: string; previousSecretExpiresAt: string | null };
  };
  const first = await read('/v1/webhooks/secret');
  expect(first).toEqual({
    secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    previousSecretExpiresAt: null,
  });
  expect(await read('/v1/webhooks/secret')).toEqual(first);

  const rotated = await read('/v1/webhooks/secret/rotate', 'POST');
  expect(rotated.secret).not.toBe(first.secret);
  const overlapEnds = Date.parse(rotated.previousSecretExpiresAt ?? '');
  expect(overlapEnds).toBeGreaterThan(Date.now() + 23 * 3_600_000);

  const receiver = await startCallbackReceiver();
  try {
    const sent = await t.request('/whatsapp/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        messages: [
          { from: 'MyCompany', to: '79034567890', text: 'signed', callbackUrl: `${receiver.url}/s` },
        ],
      }),
    });
    expect(sent.status).toBe(200);
    const [callback] = await receiver.waitFor(1);
    expect(verifyWebhook(rotated.secret, callback!.headers, callback!.rawBody)).toBe(true);
    expect(verifyWebhook(first.secret, callback!.headers, callback!.rawBody)).toBe(true);
  } finally {
    await receiver.close();
  }
});

/** Standard Webhooks verification written from the spec, as a receiver would. */
function verifyWebhook(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
  const expected = `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
  return String(headers['webhook-signature']).split(' ').includes(expected);
}

test('a disabled endpoint is listed with its health and, enabled with replayFailed, gets its held-back callbacks', async () => {
  // An account of its own, so the endpoints the tests above delivered to are not listed.
  const accountId = 'acc_v1_webhooks_endpoints';
  const owner = { authorization: `Key ${await t.createKey(['read', 'manage'], accountId)}` };
  const receiver = await startCallbackReceiver();
  try {
    const dispatchDb = t.gateway.database.db.withSchema('dispatch');
    const failingSince = new Date('2026-03-01T09:00:00.000Z');
    const disabledAt = new Date('2026-03-04T09:00:00.000Z');
    const endpoint = await dispatchDb
      .insertInto('webhook_endpoints')
      .values({
        account_id: accountId,
        origin: receiver.url,
        last_success_at: null,
        last_failure_at: disabledAt,
        failing_since: failingSince,
        consecutive_failures: 74,
        last_error: 'HTTP 503',
        disabled_at: disabledAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const body = '[{"messageId":118626985453813761,"status":"DELIVERED"}]';
    const { id } = await dispatchDb
      .insertInto('callbacks')
      .values({
        account_id: accountId,
        message_id: '118626985453813761',
        url: `${receiver.url}/status`,
        body,
        state: 'failed',
        attempts: 0,
        next_attempt_at: new Date(),
        last_error: 'endpoint disabled',
        traceparent: '',
        created_at: new Date('2026-03-02T00:00:00.000Z'),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const endpointId = `ep_${endpoint.id}`;
    const listed = await t.request('/v1/webhooks/endpoints', { headers: owner });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({
      data: [
        {
          endpointId,
          origin: receiver.url,
          state: 'disabled',
          lastSuccessAt: null,
          lastFailureAt: disabledAt.toISOString(),
          failingSince: failingSince.toISOString(),
          consecutiveFailures: 74,
          lastError: 'HTTP 503',
          disabledAt: disabledAt.toISOString(),
        },
      ],
    });

    const stranger = await t.createKey(['read', 'manage'], 'acc_v1_webhooks_stranger');
    const strangerHeaders = { authorization: `Key ${stranger}` };
    expect(await (await t.request('/v1/webhooks/endpoints', { headers: strangerHeaders })).json()).toEqual({
      data: [],
    });
    const foreign = await t.request(`/v1/webhooks/endpoints/${endpointId}/enable`, {
      method: 'POST',
      headers: strangerHeaders,
    });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toMatchObject({ reasons: [{ key: 'not.found' }] });

    const badFlag = await t.request(`/v1/webhooks/endpoints/${endpointId}/enable?replayFailed=yes`, {
      method: 'POST',
      headers: owner,
    });
    expect(badFlag.status).toBe(400);
    expect(await badFlag.json()).toMatchObject({
      code: 'REJECTED',
      reasons: [{ key: 'invalid', ref: 'replayFailed' }],
    });

    const enabled = await t.request(`/v1/webhooks/endpoints/${endpointId}/enable?replayFailed=true`, {
      method: 'POST',
      headers: owner,
    });
    expect(enabled.status).toBe(200);
    expect(await enabled.json()).toMatchObject({
      endpoint: {
        endpointId,
        state: 'enabled',
        disabledAt: null,
        failingSince: null,
        consecutiveFailures: 0,
      },
      replayed: 1,
    });
    const [delivered] = await receiver.waitFor(1);
    expect(delivered!.headers['webhook-id']).toBe(`cb_${id}`);
    expect(delivered!.rawBody).toBe(body);
  } finally {
    await receiver.close();
  }
});

describe('?accountId=: a reseller or the platform sets the webhooks of an account below it', () => {
  let reseller: KeyClient;
  let resellerId: string;
  let customer: { id: string; client: KeyClient };
  let outsider: { id: string; client: KeyClient };
  beforeAll(async () => {
    const platform = asKey(t, await t.platformKey());
    const resellerAccount = await childWithKey(platform, t, { name: 'Webhook Reseller', kind: 'reseller' });
    reseller = resellerAccount.client;
    resellerId = resellerAccount.id;
    customer = await childWithKey(reseller, t, { name: 'Webhook Customer', kind: 'customer' });
    outsider = await childWithKey(platform, t, { name: 'Webhook Outsider', kind: 'customer' });
  }, SLOW);

  const urls = { incomingUrl: 'https://example.com/child-in', statusUrl: 'https://example.com/child-status' };

  test("PUT /v1/webhooks/incoming?accountId= sets the child's URLs and leaves the caller's alone", async () => {
    const put = await reseller.put(`/v1/webhooks/incoming?accountId=${customer.id}`, urls);
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject(urls);
    expect((await customer.client.get('/v1/webhooks/incoming')).body).toMatchObject(urls);
    expect((await reseller.get(`/v1/webhooks/incoming?accountId=${customer.id}`)).body).toMatchObject(urls);
    expect((await reseller.get('/v1/webhooks/incoming')).body).toEqual({
      incomingUrl: null,
      statusUrl: null,
      updatedAt: null,
    });
  });

  test("POST /v1/webhooks/secret/rotate?accountId= rotates the child's secret and leaves the caller's alone", async () => {
    const callerBefore = (await reseller.get('/v1/webhooks/secret')).body;
    const childBefore = (await customer.client.get('/v1/webhooks/secret')).body;
    const rotated = await reseller.post(`/v1/webhooks/secret/rotate?accountId=${customer.id}`);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(rotated.body.secret).not.toBe(childBefore.secret);
    expect((await customer.client.get('/v1/webhooks/secret')).body.secret).toBe(rotated.body.secret);
    expect((await reseller.get(`/v1/webhooks/secret?accountId=${customer.id}`)).body.secret).toBe(
      rotated.body.secret,
    );
    expect((await reseller.get('/v1/webhooks/secret')).body).toEqual(callerBefore);
  });

  test("an account outside the caller's subtree is refused like a missing one and nothing changes", async () => {
    const outsiderBefore = (await outsider.client.get('/v1/webhooks/secret')).body;
    const attempts = [
      // A reseller reaching into another tree.
      () => reseller.put(`/v1/webhooks/incoming?accountId=${outsider.id}`, urls),
      () => reseller.post(`/v1/webhooks/secret/rotate?accountId=${outsider.id}`),
      () => reseller.get(`/v1/webhooks/secret?accountId=${outsider.id}`),
      // A customer reaching up to its reseller, or across to another customer.
      () => customer.client.put(`/v1/webhooks/incoming?accountId=${resellerId}`, urls),
      () => customer.client.post(`/v1/webhooks/secret/rotate?accountId=${resellerId}`),
      () => customer.client.put(`/v1/webhooks/incoming?accountId=${outsider.id}`, urls),
      () => outsider.client.post(`/v1/webhooks/secret/rotate?accountId=${customer.id}`),
      () => outsider.client.get(`/v1/webhooks/incoming?accountId=${customer.id}`),
    ];
    for (const attempt of attempts) {
      const answer = await attempt();
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ code: 'REJECTED', reasons: [{ key: 'not.found' }] });
    }
    expect((await outsider.client.get('/v1/webhooks/secret')).body).toEqual(outsiderBefore);
    expect((await reseller.get('/v1/webhooks/incoming')).body).toMatchObject({ incomingUrl: null });
    expect((await outsider.client.get('/v1/webhooks/incoming')).body).toMatchObject({ incomingUrl: null });
    expect((await customer.client.get('/v1/webhooks/incoming')).body).toMatchObject(urls);
  });
});
