import { describe, expect } from 'vitest';
import { limits } from '../src/validation/limits.js';
import { SLOW, type TestGateway, validMessage, test } from './support/gateway.js';
import { assertDocumentedResponse } from './support/openapi-responses.js';

/**
 * Failures of a whole request, all in the one error shape
 * `{"code":"REJECTED","reasons":[{"key","ref"}],"description"}`, over real HTTP.
 */

let t: TestGateway;
test.beforeAll(({ gateway }) => {
  t = gateway;
}, SLOW);

async function expectRejected(response: Response, status: number, key: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { reasons: Array<{ key: string }> };
  expect(body).toEqual({
    code: 'REJECTED',
    reasons: [expect.objectContaining({ key })],
    description: expect.stringMatching(/\w/),
  });
  expect(body.reasons).toHaveLength(1);
}

describe('the body', () => {
  test('malformed JSON is 400 malformed.json', async () => {
    await expectRejected(await t.send('{"messages": ['), 400, 'malformed.json');
    await expectRejected(await t.send(''), 400, 'malformed.json');
  });

  test('JSON that is not an object is 400 invalid', async () => {
    for (const body of ['[1,2,3]', '"text"', '42', 'null', 'true']) {
      await expectRejected(await t.send(body), 400, 'invalid');
    }
  });

  test('messages that is not an array is 400 invalid at messages', async () => {
    const response = await t.send({ messages: { from: 'MyCompany' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ reasons: [{ key: 'invalid', ref: 'messages' }] });
  });

  test('a content type other than JSON is 415, and so is none', async () => {
    await expectRejected(
      await t.send(JSON.stringify({ messages: [validMessage] }), { 'content-type': 'text/plain' }),
      415,
      'unsupported.media.type',
    );
    await expectRejected(
      await t.send('messages=1', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'unsupported.media.type',
    );
    const none = await fetch(`${t.url}/whatsapp/messages`, {
      method: 'POST',
      headers: { authorization: `Key ${t.apiKey}` },
      body: new Uint8Array(Buffer.from(JSON.stringify({ messages: [validMessage] }))),
    });
    await assertDocumentedResponse('POST', none.url, none);
    await expectRejected(none, 415, 'unsupported.media.type');
  });

  test('JSON media types with parameters or a +json suffix are taken', async () => {
    const body = JSON.stringify({ messages: [{ from: 'MyCompany', to: '79034567890' }] });
    expect((await t.send(body, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
    expect((await t.send(body, { 'content-type': 'application/vnd.devino+json' })).status).toBe(200);
  });

  test(`a body over ${limits.maxBodyBytes} bytes is 413, announced or streamed`, async () => {
    const big = JSON.stringify({ messages: [{ ...validMessage, text: 'a'.repeat(limits.maxBodyBytes) }] });
    await expectRejected(await t.send(big), 413, 'payload.too.large');
    const chunks = [
      Buffer.from('{"messages":[{"text":"'),
      Buffer.alloc(limits.maxBodyBytes, 'a'),
      Buffer.from('"}]}'),
    ];
    const streamed = await fetch(`${t.url}/whatsapp/messages`, {
      method: 'POST',
      headers: { authorization: `Key ${t.apiKey}`, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(new Uint8Array(chunk));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    await assertDocumentedResponse('POST', streamed.url, streamed);
    await expectRejected(streamed, 413, 'payload.too.large');
  });
});

describe('the API key', () => {
  test('no key, or a header in another form, is 401 unauthorized', async () => {
    await expectRejected(
      await t.send({ messages: [validMessage] }, { authorization: '' }),
      401,
      'unauthorized',
    );
    await expectRejected(
      await t.send({ messages: [validMessage] }, { authorization: t.apiKey }),
      401,
      'unauthorized',
    );
    await expectRejected(
      await t.send({ messages: [validMessage] }, { authorization: 'Basic dXNlcjpwYXNz' }),
      401,
      'unauthorized',
    );
  });

  test('an unknown key is 401 unauthorized', async () => {
    await expectRejected(
      await t.send({ messages: [validMessage] }, { authorization: 'Key wag_not_a_real_key_000000000000' }),
      401,
      'unauthorized',
    );
  });

  test('a revoked key is 401 unauthorized', async () => {
    const key = await t.createKey(['send', 'read']);
    await t.revokeKey(key);
    await expectRejected(
      await t.send({ messages: [validMessage] }, { authorization: `Key ${key}` }),
      401,
      'unauthorized',
    );
  });

  test('Bearer is taken as well as Key', async () => {
    const response = await t.send(
      { messages: [{ from: 'MyCompany', to: '79034567890' }] },
      { authorization: `Bearer ${t.apiKey}` },
    );
    expect(response.status).toBe(200);
  });

  test('a key without the scope a route needs is 403 forbidden, before its input is looked at', async () => {
    const readOnly = await t.createKey(['read']);
    const sendOnly = await t.createKey(['send']);
    await expectRejected(
      await t.send('{"messages": [', { authorization: `Key ${readOnly}` }),
      403,
      'forbidden',
    );
    await expectRejected(
      await t.request('/v1/messages?limit=abc', { headers: { authorization: `Key ${sendOnly}` } }),
      403,
      'forbidden',
    );
    await expectRejected(
      await t.request('/v1/balance', { headers: { authorization: `Key ${sendOnly}` } }),
      403,
      'forbidden',
    );
    await expectRejected(
      await t.request('/v1/webhooks/incoming', {
        method: 'PUT',
        body: JSON.stringify({ incomingUrl: null, statusUrl: null }),
        headers: { authorization: `Key ${readOnly}`, 'content-type': 'application/json' },
      }),
      403,
      'forbidden',
    );
  });

  test('the key is checked before the body', async () => {
    await expectRejected(await t.send('{"messages": [', { authorization: '' }), 401, 'unauthorized');
  });
});

describe('routes', () => {
  test('an unknown route is 404 not.found in the same shape', async () => {
    await expectRejected(await t.request('/v1/nothing-here'), 404, 'not.found');
    await expectRejected(await t.request('/whatsapp/messages', { method: 'GET' }), 404, 'not.found');
  });

  test('health, the OpenAPI document and its page need no key', async () => {
    for (const path of ['/healthz', '/openapi.json', '/docs']) {
      const response = await fetch(`${t.url}${path}`);
      expect(response.status, path).toBe(200);
      await assertDocumentedResponse('GET', response.url, response);
      await response.arrayBuffer();
    }
  });
});
