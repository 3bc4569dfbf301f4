import { createRoute } from '@hono/zod-openapi';
import { DomainError, ErrorKey } from '@wagate/errors';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { MessageIdParam } from '../schemas/messages.js';
import { MessageCallbackListSchema } from '../schemas/webhooks.js';
import type { ApiApp, RouteDeps } from './types.js';

const iso = (ms: string | undefined) => (ms === undefined ? null : new Date(Number(ms)).toISOString());

export const listMessageCallbacksRoute = createRoute({
  method: 'get',
  path: '/v1/messages/{messageId}/callbacks',
  tags: ['Messages'],
  operationId: 'listMessageCallbacks',
  summary: "List a message's status callbacks",
  description:
    'Every status callback of the message, oldest first, with its delivery state, attempts and last error. ' +
    "Another account's message answers 404, like a missing one. Needs the `read` scope.",
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { params: MessageIdParam },
  responses: {
    200: {
      description: 'The callbacks.',
      content: { 'application/json': { schema: MessageCallbackListSchema } },
    },
    ...errorResponses(401, 403, 404, 500, 503),
  },
});

export function registerListMessageCallbacks(app: ApiApp, deps: RouteDeps): void {
  app.openapi(listMessageCallbacksRoute, async (c) => {
    const { messageId } = c.req.valid('param');
    const accountId = c.get('principal').accountId;
    // The message must be the account's: a missing one and another account's answer alike.
    const found = await deps.peers.dispatch.getMessage({ accountId, messageId });
    if (!found.found) {
      throw new DomainError(ErrorKey.NotFound, `no message ${messageId} in this account`, {
        ref: 'messageId',
      });
    }
    const { callbacks } = await deps.peers.dispatch.listMessageCallbacks({ accountId, messageId });
    return c.json(
      {
        data: callbacks.map((callback) => ({
          webhookId: callback.webhookId,
          url: callback.url,
          state: callback.state as 'pending' | 'delivered' | 'failed' | 'dead',
          attempts: callback.attempts,
          lastError: callback.lastError || null,
          createdAt: new Date(Number(callback.createdAtMs)).toISOString(),
          deliveredAt: iso(callback.deliveredAtMs),
          nextAttemptAt: iso(callback.nextAttemptAtMs),
          body: callback.body,
        })),
      },
      200,
    );
  });
}
