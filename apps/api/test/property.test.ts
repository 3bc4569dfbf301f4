import fc from 'fast-check';
import { expect } from 'vitest';
import { type SendBody, SLOW, type TestGateway, validMessage, test } from './support/gateway.js';
import { assertDocumentedResponse } from './support/openapi-responses.js';

/**
 * Whatever arrives at the send call — any JSON value, any bytes, any message shape — the
 * answer is a 2xx or 4xx in one of the two documented shapes, never a 5xx, and the server
 * keeps answering. Against the whole gateway over real HTTP.
 */

let t: TestGateway;
test.beforeAll(({ gateway }) => {
  t = gateway;
}, SLOW);

const RUNS = 150;

async function post(
  body: string | Uint8Array,
  contentType: string | undefined,
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = { authorization: `Key ${t.apiKey}`, ...extra };
  if (contentType !== undefined) headers['content-type'] = contentType;
  const response = await fetch(`${t.url}/whatsapp/messages`, { method: 'POST', headers, body });
  // Whatever was sent, the answer is one the OpenAPI document describes.
  await assertDocumentedResponse('POST', response.url, response);
  return response;
}

/** The response is a send result or a rejected request, well formed, and not a 5xx. */
async function expectWellFormed(response: Response, sentMessages?: unknown) {
  const text = await response.text();
  expect(response.status, text).toBeLessThan(500);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as SendBody & { code?: string; reasons?: unknown[]; description?: string };
  if (response.status === 200) {
    expect(Array.isArray(body.result)).toBe(true);
    if (Array.isArray(sentMessages)) expect(body.result).toHaveLength(sentMessages.length);
    body.result.forEach((result, index) => {
      if (result.code === 'OK') expect(result.messageId).toMatch(/^\d{1,19}$/);
      else {
        expect(result.code).toBe('REJECTED');
        expect(result.reasons.length).toBeGreaterThan(0);
        for (const reason of result.reasons) {
          if (reason.ref !== undefined)
            expect(reason.ref.startsWith(`messages[${index}]`), reason.ref).toBe(true);
        }
        expect(typeof result.description).toBe('string');
      }
    });
  } else {
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(body).toEqual({ code: 'REJECTED', reasons: expect.any(Array), description: expect.any(String) });
    expect(body.reasons!.length).toBeGreaterThan(0);
  }
}

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/problem+json',
  'text/plain',
  undefined,
);

test('any JSON value sent to the send call gets a 2xx or 4xx in shape', async () => {
  await fc.assert(
    fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), contentTypes, async (value, contentType) => {
      await expectWellFormed(await post(JSON.stringify(value) ?? 'null', contentType));
    }),
    { numRuns: RUNS },
  );
});

test('any bytes sent to the send call get a 4xx in shape', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), contentTypes, async (bytes, contentType) => {
      await expectWellFormed(await post(bytes, contentType));
    }),
    { numRuns: RUNS },
  );
});

/** Values a field may plausibly or implausibly hold: right ones, near misses, any JSON, any text. */
function fieldValue(plausible: unknown[]) {
  return fc.oneof(
    fc.constantFrom(...plausible),
    fc.jsonValue({ maxDepth: 2 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
  );
}

const message = fc.record(
  {
    from: fieldValue(['MyCompany', 'SomeoneElse', '', '   ', 'x'.repeat(80)]),
    to: fieldValue([
      '79034567890',
      '+7 (903) 456-78-90',
      '89034567890',
      '70000000000',
      '1234567890123456',
      '',
    ]),
    text: fieldValue(['Code: 1234', '', 'a'.repeat(4097), 'nul \u0000', 'lone \ud800']),
    validity: fieldValue([1, 86_400, 0, 86_401, 1.5, -1, 2 ** 53]),
    contentUrl: fieldValue(['https://example.com/a.pdf', 'ftp://x', 'not a url']),
    contentName: fieldValue(['a.pdf', '', 'a'.repeat(300)]),
    contentType: fieldValue(['application/pdf', 'image/png', 'foo/bar', '']),
    callbackUrl: fieldValue(['http://127.0.0.1:9/cb', 'mailto:x@y', '']),
    callbackData: fieldValue(['order-42', 'a'.repeat(3000)]),
    templateId: fieldValue(['account_activated', '', 'x'.repeat(200)]),
    templateParams: fieldValue([{ '1': 'a' }, { 'a b': 'x' }, { '1': 5 }, []]),
    languageCode: fieldValue(['ru', 'en_US', 'e', 'english', 'en_US_POSIX']),
  },
  { requiredKeys: [] },
);

test('any batch of any message shapes gets one well-formed result per message', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.oneof({ weight: 5, arbitrary: message }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
        {
          minLength: 1,
          maxLength: 6,
        },
      ),
      fc.option(fc.stringMatching(/^[\x20-\x7e]{0,300}$/), { nil: undefined }),
      async (messages, idempotencyKey) => {
        const headers: Record<string, string> =
          idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey };
        await expectWellFormed(
          await post(JSON.stringify({ messages }), 'application/json', headers),
          messages,
        );
      },
    ),
    { numRuns: RUNS },
  );
});

test('after all that, the server still answers and still sends', async () => {
  expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  const response = await t.send({ messages: [validMessage] });
  expect(response.status).toBe(200);
  expect(((await response.json()) as SendBody).result[0]).toMatchObject({ code: 'OK' });
});
