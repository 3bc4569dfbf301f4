import { createRoute } from '@hono/zod-openapi';
import type { dispatch } from '@wagate/contracts';
import { requireScope } from '../http/auth.js';
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
    'The secret that signs status callbacks, created on first use. Needs the `manage` scope (it is a credential).',
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  responses: {
    200: { description: 'The secret.', content: { 'application/json': { schema: WebhookSecretSchema } } },
    ...errorResponses(401, 403, 500, 503),
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
    'so receivers can switch without refusing a delivery. Needs the `manage` scope.',
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  responses: {
    200: { description: 'The new secret.', content: { 'application/json': { schema: WebhookSecretSchema } } },
    ...errorResponses(401, 403, 500, 503),
  },
});

export function registerWebhookSecret(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getWebhookSecretRoute, async (c) => {
    const response = await deps.peers.dispatch.getWebhookSecret({ accountId: c.get('principal').accountId });
    return c.json(secretView(response), 200);
  });
  app.openapi(rotateWebhookSecretRoute, async (c) => {
    const response = await deps.peers.dispatch.rotateWebhookSecret({
      accountId: c.get('principal').accountId,
    });
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
