import { createRoute } from '@hono/zod-openapi';
import type { dispatch } from '@wagate/contracts';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import {
  FailedCallbackListSchema,
  FailedCallbackSchema,
  ListFailedCallbacksQuery,
  WebhookIdParam,
} from '../schemas/webhooks.js';
import type { ApiApp, RouteDeps } from './types.js';

export const listFailedCallbacksRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks/failed',
  tags: ['Webhooks'],
  operationId: 'listFailedCallbacks',
  summary: 'List failed status callbacks',
  description:
    'Status callbacks that will not be retried any more, newest first, one page at a time: pass `nextCursor` back ' +
    'as `cursor` until it is `null`. Needs the `read` scope.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: ListFailedCallbacksQuery },
  responses: {
    200: { description: 'One page.', content: { 'application/json': { schema: FailedCallbackListSchema } } },
    ...errorResponses(400, 401, 403, 500, 503),
  },
});

export const replayCallbackRoute = createRoute({
  method: 'post',
  path: '/v1/webhooks/failed/{webhookId}/replay',
  tags: ['Webhooks'],
  operationId: 'replayCallback',
  summary: 'Replay a failed status callback',
  description:
    'Queues the callback again with the same `webhook-id` and body, retried like a new one (for up to 3 days). ' +
    "It is delivered regardless of the message's later statuses. Needs the `manage` scope.",
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  request: { params: WebhookIdParam },
  responses: {
    202: {
      description: 'Queued again; `state` and `attempts` as they were before the replay.',
      content: { 'application/json': { schema: FailedCallbackSchema } },
    },
    ...errorResponses(401, 403, 404, 500, 503),
  },
});

export function registerFailedCallbacks(app: ApiApp, deps: RouteDeps): void {
  app.openapi(listFailedCallbacksRoute, async (c) => {
    const query = c.req.valid('query');
    const page = await deps.peers.dispatch.listFailedCallbacks({
      accountId: c.get('principal').accountId,
      limit: query.limit ?? 0,
      cursor: query.cursor ?? '',
    });
    return c.json({ data: page.callbacks.map(failedCallbackView), nextCursor: page.nextCursor || null }, 200);
  });
  app.openapi(replayCallbackRoute, async (c) => {
    const { callback } = await deps.peers.dispatch.replayCallback({
      accountId: c.get('principal').accountId,
      webhookId: c.req.valid('param').webhookId,
    });
    if (!callback) throw new Error('dispatch answered a replay without the callback');
    return c.json(failedCallbackView(callback), 202);
  });
}

function failedCallbackView(callback: dispatch.FailedCallback) {
  return {
    webhookId: callback.webhookId,
    messageId: callback.messageId,
    url: callback.url,
    state: callback.state === 'dead' ? ('dead' as const) : ('failed' as const),
    attempts: callback.attempts,
    lastError: callback.lastError || null,
    createdAt: new Date(Number(callback.createdAtMs)).toISOString(),
    body: callback.body,
  };
}
