import { afterAll, beforeAll, expect, test } from 'vitest';
import { SLOW, startTestGateway, type TestGateway } from './support/gateway.js';

/** `GET` and `PUT /v1/webhooks/incoming`: the account's incoming and default status URLs. */

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
}, SLOW);
afterAll(async () => {
  await t?.stop();
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
