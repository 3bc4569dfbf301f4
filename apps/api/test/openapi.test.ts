import { z } from 'zod';
import { describe, expect, test } from 'vitest';
import { errorCatalogue, errorKeys } from '@wagate/errors';
import { createOfflineApiApp, openApiDocument } from '../src/openapi/document.js';
import { SendEnvelopeSchema } from '../src/schemas/send.js';
import { validateMessage } from '../src/validation/validate-message.js';

/**
 * The OpenAPI document: generated from the schemas that validate requests, covering every
 * route, every field described with an example, every example valid, served at
 * /openapi.json with an offline page at /docs.
 */

type Json = Record<string, any>;
const document = openApiDocument() as Json;
const app = createOfflineApiApp();

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** The document's component schemas as JSON Schema `$defs`, so `$ref`s resolve. */
const defs = JSON.parse(
  JSON.stringify(document.components.schemas).replaceAll('#/components/schemas/', '#/$defs/'),
);
function validatorFor(schema: Json) {
  const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('#/components/schemas/', '#/$defs/'));
  return z.fromJSONSchema({ ...rewritten, $defs: defs } as never);
}

/** Every place the document gives an example, with the schema it must satisfy. */
function documentedExamples(): Array<{ where: string; schema: Json; example: unknown }> {
  const found: Array<{ where: string; schema: Json; example: unknown }> = [];
  const visit = (node: unknown, where: string) => {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) visit(item, `${where}[${i}]`);
      return;
    }
    const object = node as Json;
    const isSchema = ['type', '$ref', 'oneOf', 'anyOf', 'allOf', 'enum', 'properties'].some(
      (key) => key in object,
    );
    if (isSchema && 'example' in object) found.push({ where, schema: object, example: object.example });
    if (object.schema && object.examples && typeof object.examples === 'object') {
      for (const [name, example] of Object.entries(object.examples as Record<string, { value: unknown }>)) {
        found.push({ where: `${where}.examples.${name}`, schema: object.schema, example: example.value });
      }
    }
    for (const [key, value] of Object.entries(object)) {
      if (key !== 'example' && key !== 'examples') visit(value, `${where}.${key}`);
    }
  };
  visit(document.paths, 'paths');
  visit(document.components.schemas, 'components.schemas');
  return found;
}

describe('the document', () => {
  test('is OpenAPI 3.1 with the API key scheme', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes.ApiKey).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
    });
  });

  test('documents every route the app serves, and nothing it does not', () => {
    const served = new Set(
      app.routes
        .filter((route) => route.method !== 'ALL')
        .map((route) => `${route.method.toLowerCase()} ${route.path.replaceAll(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(
      Object.entries(document.paths as Json).flatMap(([path, item]) =>
        METHODS.filter((method) => method in item).map((method) => `${method} ${path}`),
      ),
    );
    expect([...documented].sort()).toEqual([...served].sort());
    expect(documented).toContain('post /whatsapp/messages');
    for (const route of [
      'get /v1/messages',
      'get /v1/messages/{messageId}',
      'get /v1/senders',
      'get /v1/webhooks/incoming',
      'put /v1/webhooks/incoming',
      'get /v1/balance',
      'get /openapi.json',
      'get /docs',
    ]) {
      expect(documented).toContain(route);
    }
  });

  test('every operation has an id, a summary, a description and its error responses', () => {
    for (const [path, item] of Object.entries(document.paths as Json)) {
      for (const method of METHODS.filter((m) => m in item)) {
        const operation = item[method];
        expect(operation.operationId, `${method} ${path}`).toEqual(expect.any(String));
        expect(operation.summary, `${method} ${path}`).toEqual(expect.any(String));
        expect(operation.description, `${method} ${path}`).toEqual(expect.any(String));
        if (operation.security?.length) {
          for (const status of ['401', '403', '500', '503']) {
            expect(
              operation.responses[status]?.content['application/json'].schema,
              `${method} ${path} ${status}`,
            ).toEqual({
              $ref: '#/components/schemas/Error',
            });
          }
        }
      }
    }
  });

  test('declares every tag it uses, and says which routes need no key', () => {
    const operations = Object.entries(document.paths as Json).flatMap(([path, item]) =>
      METHODS.filter((method) => method in item).map((method) => ({ path, operation: item[method] as Json })),
    );
    const declared = new Set((document.tags as Json[]).map((tag) => tag.name));
    const used = new Set(operations.flatMap(({ operation }) => operation.tags as string[]));
    expect([...used].filter((tag) => !declared.has(tag))).toEqual([]);
    expect(declared).toContain('Accounts');
    expect(declared).toContain('API keys');
    const publicPaths = operations
      .filter(({ operation }) => operation.security?.length === 0)
      .map(({ path }) => path);
    expect(publicPaths.sort()).toEqual([
      '/',
      '/console',
      '/console/',
      '/console/assets/{file}',
      '/docs',
      '/docs/{file}',
      '/healthz',
      '/openapi.json',
    ]);
    for (const { operation } of operations) expect(operation.security).toBeDefined();
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(document.info.license).toMatchObject({ name: expect.any(String) });
  });

  test('every field and parameter has a description and an example', () => {
    const missing: string[] = [];
    const resolve = (schema: Json): Json =>
      schema.$ref ? document.components.schemas[schema.$ref.replace('#/components/schemas/', '')] : schema;
    const check = (schema: Json, where: string) => {
      for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
        const own = property.$ref ? { ...resolve(property), ...property } : property;
        if (!own.description) missing.push(`${where}.${name}: description`);
        if (!('example' in own)) missing.push(`${where}.${name}: example`);
      }
    };
    for (const [name, schema] of Object.entries(document.components.schemas as Record<string, Json>)) {
      check(schema, name);
    }
    for (const [path, item] of Object.entries(document.paths as Json)) {
      for (const method of METHODS.filter((m) => m in item)) {
        for (const parameter of (item[method].parameters ?? []) as Json[]) {
          if (!parameter.description) missing.push(`${method} ${path} ${parameter.name}: description`);
          if (!('example' in parameter.schema)) missing.push(`${method} ${path} ${parameter.name}: example`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  test('every documented example validates against its schema', () => {
    const examples = documentedExamples();
    expect(examples.length).toBeGreaterThan(50);
    const failures = examples.flatMap(({ where, schema, example }) => {
      const result = validatorFor(schema).safeParse(example);
      return result.success ? [] : [`${where}: ${JSON.stringify(result.error.issues)}`];
    });
    expect(failures).toEqual([]);
    // Hundreds of schemas are converted; on a busy machine that takes more than the default 5 s.
  }, 60_000);

  test('the send examples also pass the request validation itself, message by message', () => {
    const example = document.components.schemas.SendRequest.example;
    const envelope = SendEnvelopeSchema.parse(example);
    envelope.messages.forEach((message, index) => {
      expect(validateMessage(message, index), JSON.stringify(message)).toMatchObject({ ok: true });
    });
    expect(validateMessage(document.components.schemas.DevinoMessage.example, 0)).toMatchObject({ ok: true });
  });

  test('a wrong value fails the documented schema too: the document is not a rubber stamp', () => {
    const message = validatorFor({ $ref: '#/components/schemas/DevinoMessage' });
    expect(message.safeParse({ from: 'MyCompany', to: '79034567890', text: 'a'.repeat(4097) }).success).toBe(
      false,
    );
    expect(message.safeParse({ from: 'MyCompany', to: '79034567890', validity: 86_401 }).success).toBe(false);
    expect(message.safeParse({ to: '79034567890' }).success).toBe(false);
  });

  test('describes the error catalogue, the limits, batches and idempotency', () => {
    const description: string = document.info.description;
    // Every row of the catalogue is a row of the document's table, with its status.
    for (const key of errorKeys) {
      for (const row of errorCatalogue[key].rows) {
        const where = row.where === 'message' ? 'per message (200)' : String(errorCatalogue[key].httpStatus);
        expect(description).toContain(`| \`${key}\` |`);
        expect(description).toContain(`| ${where} | ${row.meaning} |`);
      }
    }
    expect([...document.components.schemas.Reason.properties.key.enum].sort()).toEqual([...errorKeys].sort());
    for (const phrase of [
      '1–1000',
      '4096 characters',
      'at most 15 digits',
      '1–86400 seconds',
      '2–8 characters',
      'Idempotency-Key',
      'nextCursor',
    ]) {
      expect(description).toContain(phrase);
    }
    expect(description).toMatch(/each\s+message is validated on its own/);
    for (const kind of ['audio', 'document', 'image', 'video']) expect(description).toContain(`| ${kind} |`);
  });
});

describe('serving it', () => {
  test('/openapi.json is the document', async () => {
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(document);
  });

  test('/docs works offline: every script, style and icon comes from this server', async () => {
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(references.length).toBeGreaterThanOrEqual(5);
    expect(html).not.toMatch(/https?:\/\//);
    for (const reference of references) {
      expect(reference.startsWith('/docs/'), reference).toBe(true);
      const asset = await app.request(reference);
      expect(asset.status, reference).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, reference).toBeGreaterThan(0);
    }
    const initializer = await (await app.request('/docs/swagger-initializer.js')).text();
    expect(initializer).toContain("url: '/openapi.json'");
    expect(initializer).toContain('validatorUrl: null');
    expect((await app.request('/docs/swagger-ui-bundle.js')).headers.get('content-type')).toMatch(
      /javascript/,
    );
    expect((await app.request('/docs/swagger-ui.css')).headers.get('content-type')).toMatch(/^text\/css/);
  });

  test('a file the page does not have is 404 in the error shape', async () => {
    const response = await app.request('/docs/../../etc/passwd');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'REJECTED', reasons: [{ key: 'not.found' }] });
  });
});
