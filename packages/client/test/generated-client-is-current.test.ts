import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOfflineApiApp } from '@wagate/api';
import { afterAll, expect, test } from 'vitest';
import { createWagateClient } from '../src/index.js';
import { generateSchemaTypes, packageDir, renderOpenApiDocument } from '../update-openapi.js';

const scratch = mkdtempSync(join(tmpdir(), 'wagate-client-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const STALE =
  'the client is stale: run `npx tsx packages/client/update-openapi.ts` and commit src/openapi.json and src/schema.d.ts';

test('the committed openapi.json is the api’s current OpenAPI document', () => {
  expect(readFileSync(join(packageDir, 'src/openapi.json'), 'utf8'), STALE).toBe(renderOpenApiDocument());
});

test('the committed schema.d.ts is what openapi-typescript makes of openapi.json', () => {
  const document = join(scratch, 'openapi.json');
  writeFileSync(document, renderOpenApiDocument());
  generateSchemaTypes(document, join(scratch, 'schema.d.ts'));
  expect(readFileSync(join(packageDir, 'src/schema.d.ts'), 'utf8'), STALE).toBe(
    readFileSync(join(scratch, 'schema.d.ts'), 'utf8'),
  );
}, 120_000);

test('the client calls the api with its key and types both answers and errors', async () => {
  const app = createOfflineApiApp();
  const fetchFromApp = async (request: Request) => app.fetch(request);
  const health = await createWagateClient('http://wagate.test', 'unused', { fetch: fetchFromApp }).GET(
    '/healthz',
  );
  expect(health.data).toEqual({ status: 'ok' });

  // A blank key never reaches billing: the api refuses it itself, in the documented error shape.
  const { data, error, response } = await createWagateClient('http://wagate.test', '', {
    fetch: fetchFromApp,
  }).POST('/whatsapp/messages', {
    body: { messages: [{ from: 'MyCompany', to: '79034567890', text: 'hi' }] },
  });
  expect(response.status).toBe(401);
  expect(data).toBeUndefined();
  expect(error).toEqual({
    code: 'REJECTED',
    reasons: [{ key: 'unauthorized' }],
    description: expect.any(String),
  });
});
