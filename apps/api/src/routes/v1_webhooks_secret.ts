import { createRoute } from '@hono/zod-openapi';
import type { dispatch } from '@wagate/contracts';
import { requireScope } from '../http/auth.js';
import { accountInSubtree, WebhookAccountQuery } from '../http/supervisor.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { WebhookSecretSchema } from '../schemas/webhooks.js';
import type { ApiApp, RouteDeps } from './types.js';

export const getWebhookSecretRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks/secret',
  tags: ['Webhooks'],
  operationId: 'getWebhookSecret',
  summary: 'Get the webhook signing secret',
  description:
    'The secret that signs status callbacks, created on first use. Needs the `manage` scope (it is a credential); ' +
    '`?accountId=` reads that of an account below the caller.',
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  request: { query: WebhookAccountQuery },
  responses: {
    200: { description: 'The secret.', content: { 'application/json': { schema: WebhookSecretSchema } } },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export const rotateWebhookSecretRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/secret/rotate',
  tags: ['Webhooks'],
  operationId: 'rotateWebhookSecret',
  summary: 'Rotate the webhook signing secret',
  description:
    'Makes a new current secret. The previous one keeps signing too (two signatures per callback) for 24 hours, ' +
    'so receivers can switch without refusing a delivery. Needs the `manage` scope; `?accountId=` rotates that of ' +
    'an account below the caller.',
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  request: { query: WebhookAccountQuery },
  responses: {
    200: { description: 'The new secret.', content: { 'application/json': { schema: WebhookSecretSchema } } },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerWebhookSecret(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getWebhookSecretRoute, async (c) => {
    const accountId = await accountInSubtree(deps.peers, c.get('principal'), c.req.valid('query').accountId);
    const response = await deps.peers.dispatch.getWebhookSecret({ accountId });
    return c.json(secretView(response), 200);
  });
  app.openapi(rotateWebhookSecretRoute, async (c) => {
    const accountId = await accountInSubtree(deps.peers, c.get('principal'), c.req.valid('query').accountId);
    const response = await deps.peers.dispatch.rotateWebhookSecret({ accountId });
    return c.json(secretView(response), 200);
  });
}

function secretView({ secret }: { secret?: dispatch.WebhookSecret | undefined }) {
  if (!secret) throw new Error('dispatch answered without the secret');
  const previous = Number(secret.previousExpiresAtMs);
  return {
    secret: secret.secret,
    previousSecretExpiresAt: previous > 0 ? new Date(previous).toISOString() : null,
  };
}
