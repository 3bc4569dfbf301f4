import { describe, expect } from 'vitest';
import { openApiDocument } from '../src/openapi/document.js';
import { SLOW, type TestGateway, test } from './support/gateway.js';

/**
 * A NUL character (U+0000) — which PostgreSQL cannot store in text — in any input of any route
 * of the public API is a 400 `invalid` naming the input, never a 500. The routes, their
 * parameters and their bodies are read from the OpenAPI document, so a new route is covered
 * without touching this file.
 */

type Json = Record<string, any>;
const document = openApiDocument() as Json;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  queryParams: string[];
  bodyFields: string[];
}

function resolve(schema: Json | undefined): Json | undefined {
  const ref = schema?.$ref as string | undefined;
  if (!ref) return schema;
  return document.components.schemas[ref.replace('#/components/schemas/', '')];
}

/** Every operation on `/v1` and Devino's `/whatsapp` routes, with its inputs. */
const operations: Operation[] = Object.entries(document.paths as Json)
  .filter(([path]) => path.startsWith('/v1/') || path.startsWith('/whatsapp/'))
  .flatMap(([path, item]) =>
    METHODS.filter((method) => method in item).map((method) => {
      const parameters = (item[method].parameters ?? []) as Json[];
      const names = (where: string) => parameters.filter((p) => p.in === where).map((p) => p.name as string);
      const body = resolve(item[method].requestBody?.content?.['application/json']?.schema);
      return {
        method: method.toUpperCase(),
        path,
        pathParams: names('path'),
        queryParams: names('query'),
        bodyFields: Object.keys(body?.properties ?? {}),
      };
    }),
  );

let t: TestGateway;
let key: string;
test.beforeAll(async ({ gateway }) => {
  t = gateway;
  key = await t.platformKey();
}, SLOW);

/** The path with every parameter filled, the one named `nulIn` holding a NUL. */
function urlOf(operation: Operation, nulIn?: string): string {
  return operation.path.replaceAll(/\{(\w+)\}/g, (_, name: string) => (name === nulIn ? 'x%00y' : 'x1'));
}

async function expectInvalid(response: Response, ref: string) {
  const body = await response.json();
  expect({ status: response.status, body }).toEqual({
    status: 400,
    body: {
      code: 'REJECTED',
      reasons: [{ key: 'invalid', ref }],
      description: expect.stringContaining('NUL character'),
    },
  });
}

const call = (operation: Operation, url: string, body?: unknown) =>
  t.request(url, {
    method: operation.method,
    headers: { authorization: `Key ${key}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

test('the document has routes with each kind of input to try', () => {
  expect(operations.length).toBeGreaterThan(40);
  expect(operations.filter((o) => o.pathParams.length > 0).length).toBeGreaterThan(10);
  expect(operations.filter((o) => o.queryParams.length > 0).length).toBeGreaterThan(10);
  expect(operations.filter((o) => o.bodyFields.length > 0).length).toBeGreaterThan(10);
});

describe.each(operations)('$method $path', (operation) => {
  test('a NUL in a query parameter the route does not take is 400 too', async () => {
    await expectInvalid(await call(operation, `${urlOf(operation)}?unknown=a%00b`), 'unknown');
  });

  test.each(operation.pathParams)('a NUL in the path parameter %s is 400 naming it', async (name) => {
    await expectInvalid(await call(operation, urlOf(operation, name)), name);
  });

  test.each(operation.queryParams)('a NUL in the query parameter %s is 400 naming it', async (name) => {
    await expectInvalid(await call(operation, `${urlOf(operation)}?${name}=a%00b`), name);
  });

  test.each(operation.bodyFields)('a NUL in the JSON field %s is 400 naming it', async (name) => {
    await expectInvalid(await call(operation, urlOf(operation), { [name]: 'a\u0000b' }), name);
  });
});

test('a NUL deep in a send body names its JSON path; in a key, the key', async () => {
  const text = { messages: [{ from: 'MyCompany', to: '79034567890', text: 'ok' }, { text: 'Co\u0000de' }] };
  await expectInvalid(await t.send(text), 'messages[1].text');
  const templateParams = {
    messages: [
      { from: 'MyCompany', to: '79034567890', templateId: 'tpl_x', templateParams: { 'a\u0000': '1' } },
    ],
  };
  await expectInvalid(await t.send(templateParams), 'messages[0].templateParams.a\\u0000');
});

test('an escaped backslash before u0000 is text, not a NUL, and is sent', async () => {
  const response = await t.send({ messages: [{ from: 'MyCompany', to: '79034567890', text: 'C:\\u0000' }] });
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ result: [{ code: 'OK' }] });
});
