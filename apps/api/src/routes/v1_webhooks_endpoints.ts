import { createRoute } from '@hono/zod-openapi';
import type { dispatch } from '@wagate/contracts';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import {
  EnabledWebhookEndpointSchema,
  EnableWebhookEndpointQuery,
  WebhookEndpointIdParam,
  WebhookEndpointListSchema,
} from '../schemas/webhooks.js';
import type { ApiApp, RouteDeps } from './types.js';

export const listWebhookEndpointsRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks/endpoints',
  tags: ['Webhooks'],
  operationId: 'listWebhookEndpoints',
  summary: 'List webhook endpoints and their health',
  description:
    "Every origin the account's callbacks were POSTed to, with its last success and failure and whether it is " +
    'disabled (no successful delivery for 3 days while failing). Needs the `read` scope.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  responses: {
    200: {
      description: 'The endpoints.',
      content: { 'application/json': { schema: WebhookEndpointListSchema } },
    },
    ...errorResponses(401, 403, 500, 503),
  },
});

export const enableWebhookEndpointRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/endpoints/{endpointId}/enable',
  tags: ['Webhooks'],
  operationId: 'enableWebhookEndpoint',
  summary: 'Enable a webhook endpoint',
  description:
    'Callbacks to it are POSTed again and its failing streak starts over; with `replayFailed=true` its failed ' +
    'callbacks since it started failing are queued again. Needs the `manage` scope.',
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  request: { params: WebhookEndpointIdParam, query: EnableWebhookEndpointQuery },
  responses: {
    200: {
      description: 'Enabled.',
      content: { 'application/json': { schema: EnabledWebhookEndpointSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerWebhookEndpoints(app: ApiApp, deps: RouteDeps): void {
  app.openapi(listWebhookEndpointsRoute, async (c) => {
    const { endpoints } = await deps.peers.dispatch.listWebhookEndpoints({
      accountId: c.get('principal').accountId,
    });
    return c.json({ data: endpoints.map(endpointView) }, 200);
  });
  app.openapi(enableWebhookEndpointRoute, async (c) => {
    const { endpoint, replayed } = await deps.peers.dispatch.enableWebhookEndpoint({
      accountId: c.get('principal').accountId,
      endpointId: c.req.valid('param').endpointId,
      replayFailed: c.req.valid('query').replayFailed === 'true',
    });
    if (!endpoint) throw new Error('dispatch answered an enable without the endpoint');
    return c.json({ endpoint: endpointView(endpoint), replayed }, 200);
  });
}

function endpointView(endpoint: dispatch.WebhookEndpoint) {
  const instant = (ms: string) => (Number(ms) > 0 ? new Date(Number(ms)).toISOString() : null);
  return {
    endpointId: endpoint.endpointId,
    origin: endpoint.origin,
    state: Number(endpoint.disabledAtMs) > 0 ? ('disabled' as const) : ('enabled' as const),
    lastSuccessAt: instant(endpoint.lastSuccessAtMs),
    lastFailureAt: instant(endpoint.lastFailureAtMs),
    failingSince: instant(endpoint.failingSinceMs),
    consecutiveFailures: endpoint.consecutiveFailures,
    lastError: endpoint.lastError || null,
    disabledAt: instant(endpoint.disabledAtMs),
  };
}
