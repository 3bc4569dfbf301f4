import { createRoute } from '@hono/zod-openapi';
import { DomainError, ErrorKey } from '@wagate/errors';
import { setSpanAttributes } from '@wagate/telemetry';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { MessageDetailSchema, MessageIdParam } from '../schemas/messages.js';
import { asStatus, messageFields } from '../views/messages.js';
import type { ApiApp, RouteDeps } from './types.js';

export const getMessageRoute = createRoute({
  method: 'get',
  path: '/v1/messages/{messageId}',
  tags: ['Messages'],
  operationId: 'getMessage',
  summary: 'Get a message',
  description:
    "A message of the caller's account with its status history. Another account's message answers 404, like a missing one.",
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { params: MessageIdParam },
  responses: {
    200: { description: 'The message.', content: { 'application/json': { schema: MessageDetailSchema } } },
    ...errorResponses(401, 403, 404, 500, 503),
  },
});

export function registerGetMessage(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getMessageRoute, async (c) => {
    const { messageId } = c.req.valid('param');
    const found = await deps.peers.dispatch.getMessage({
      accountId: c.get('principal').accountId,
      messageId,
    });
    if (!found.found || !found.message) {
      // Another account's message reads exactly like a missing one.
      throw new DomainError(ErrorKey.NotFound, `no message ${messageId} in this account`, {
        ref: 'messageId',
      });
    }
    const status = asStatus(found.status);
    const waiting =
      status === 'ACCEPTED' ? await waitingOf(deps, c.get('principal').accountId, messageId) : undefined;
    return c.json(
      {
        ...messageFields(messageId, found.message),
        status,
        errorCode: found.history.at(-1)?.errorCode ?? 0,
        history: found.history.map((entry) => ({
          status: asStatus(entry.status),
          errorCode: entry.errorCode,
          ts: Number(entry.atMs),
          source: entry.source,
          ...(entry.rule ? { rule: entry.rule, reason: entry.reason } : {}),
        })),
        ...(waiting && { waiting }),
      },
      200,
    );
  });
}

/** What fleet says holds an accepted message; also on this request's span, for a trace of the question. */
async function waitingOf(deps: RouteDeps, accountId: string, messageId: string) {
  const answer = await deps.peers.fleet.explainWaiting({ accountId, messageId });
  if (!answer.waiting) return undefined;
  setSpanAttributes({
    'wagate.fleet.waiting_rule': answer.rule,
    'wagate.fleet.waiting_reason': answer.reason,
  });
  const untilMs = Number(answer.untilMs);
  return {
    rule: answer.rule,
    reason: answer.reason,
    ...(untilMs > 0 && { until: new Date(untilMs).toISOString() }),
  };
}
