import { describe, expect, test } from 'vitest';
import { assertDocumentedResponse } from './support/openapi-responses.js';

/**
 * The check every api test runs on its responses (through `startTestGateway().request`) refuses
 * what the document does not describe; here it is given answers a broken route could send.
 */

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const base = 'http://127.0.0.1:3000';

describe('responses checked against the OpenAPI document', () => {
  test('a documented answer passes', async () => {
    await assertDocumentedResponse('GET', `${base}/healthz`, json({ status: 'ok' }));
    await assertDocumentedResponse(
      'GET',
      `${base}/v1/messages/1`,
      json(
        {
          code: 'REJECTED',
          reasons: [{ key: 'not.found', ref: 'messageId' }],
          description: 'no such message',
        },
        404,
      ),
    );
  });

  test('a body off its schema fails, naming the route', async () => {
    await expect(
      assertDocumentedResponse('GET', `${base}/healthz`, json({ status: 'down' })),
    ).rejects.toThrow(/GET \/healthz → 200: the body does not match/);
  });

  test('an undocumented status fails', async () => {
    await expect(
      assertDocumentedResponse('GET', `${base}/healthz`, json({ status: 'ok' }, 418)),
    ).rejects.toThrow(/status 418 is not documented/);
  });

  test('an undeclared content type fails', async () => {
    const css = new Response('.x{}', {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
    });
    await expect(assertDocumentedResponse('GET', `${base}/docs/swagger-ui.css`, css)).rejects.toThrow(
      /content type "application\/octet-stream" is not declared/,
    );
  });

  test('a route the document does not have fails unless it is a 404', async () => {
    await expect(assertDocumentedResponse('GET', `${base}/v1/nothing-here`, json({}))).rejects.toThrow(
      /no operation/,
    );
  });
});
