import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { AccountIdParam } from '../schemas/accounts.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import {
  ApiKeyListSchema,
  ApiKeySchema,
  CreatedKeySchema,
  CreateKeySchema,
  KeyParams,
} from '../schemas/keys.js';
import { apiKeyView } from '../views/accounts.js';
import type { ApiApp, RouteDeps } from './types.js';

export const listKeysRoute = createRoute({
  method: 'get',
  path: '/v1/accounts/{accountId}/keys',
  tags: ['API keys'],
  operationId: 'listKeys',
  summary: "List an account's keys",
  description:
    'The keys of your account or of one below it, oldest first, revoked ones included. Needs `read`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { params: AccountIdParam },
  responses: {
    200: { description: 'The keys.', content: { 'application/json': { schema: ApiKeyListSchema } } },
    ...errorResponses(401, 403, 404, 500, 503),
  },
});

export const createKeyRoute = createRoute({
  method: 'post',
  path: '/v1/accounts/{accountId}/keys',
  tags: ['API keys'],
  operationId: 'createKey',
  summary: 'Create a key',
  description:
    'A new key for your account or one below it. The response holds the key itself, this once: wagate keeps only ' +
    'its SHA-256. Needs `manage`.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    params: AccountIdParam,
    body: { required: true, content: { 'application/json': { schema: CreateKeySchema } } },
  },
  responses: {
    201: {
      description: 'The key, with its secret.',
      content: { 'application/json': { schema: CreatedKeySchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 500, 503),
  },
});

export const rotateKeyRoute = createRoute({
  method: 'post',
  path: '/v1/accounts/{accountId}/keys/{keyId}/rotate',
  tags: ['API keys'],
  operationId: 'rotateKey',
  summary: 'Rotate a key',
  description:
    'A new key with the same name and scopes. Both work until you revoke the old one, so clients can move over ' +
    'without downtime. Needs `manage`.',
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  request: { params: KeyParams },
  responses: {
    201: {
      description: 'The new key, with its secret.',
      content: { 'application/json': { schema: CreatedKeySchema } },
    },
    ...errorResponses(401, 403, 404, 409, 500, 503),
  },
});

export const revokeKeyRoute = createRoute({
  method: 'delete',
  path: '/v1/accounts/{accountId}/keys/{keyId}',
  tags: ['API keys'],
  operationId: 'revokeKey',
  summary: 'Revoke a key',
  description:
    'The key stops working on every api replica within seconds (billing announces it on the bus). Revoking again ' +
    'answers the key as it is. Needs `manage`.',
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  request: { params: KeyParams },
  responses: {
    200: { description: 'The revoked key.', content: { 'application/json': { schema: ApiKeySchema } } },
    ...errorResponses(401, 403, 404, 500, 503),
  },
});

export function registerKeys(app: ApiApp, deps: RouteDeps): void {
  app.openapi(listKeysRoute, async (c) => {
    const { keys } = await deps.peers.billing.listKeys({
      actorAccountId: c.get('principal').accountId,
      accountId: c.req.valid('param').accountId,
    });
    return c.json({ data: keys.map(apiKeyView) }, 200);
  });

  app.openapi(createKeyRoute, async (c) => {
    const body = c.req.valid('json');
    const created = await deps.peers.billing.createKey({
      actorAccountId: c.get('principal').accountId,
      accountId: c.req.valid('param').accountId,
      name: body.name,
      scopes: body.scopes,
      expiresAtMs: body.expiresAt === undefined ? undefined : String(Date.parse(body.expiresAt)),
    });
    return c.json({ ...apiKeyView(created.key), key: created.secret }, 201);
  });

  app.openapi(rotateKeyRoute, async (c) => {
    const { accountId, keyId } = c.req.valid('param');
    const created = await deps.peers.billing.rotateKey({
      actorAccountId: c.get('principal').accountId,
      accountId,
      keyId,
    });
    return c.json({ ...apiKeyView(created.key), key: created.secret }, 201);
  });

  app.openapi(revokeKeyRoute, async (c) => {
    const { accountId, keyId } = c.req.valid('param');
    const { key } = await deps.peers.billing.revokeKey({
      actorAccountId: c.get('principal').accountId,
      accountId,
      keyId,
    });
    return c.json(apiKeyView(key), 200);
  });
}
