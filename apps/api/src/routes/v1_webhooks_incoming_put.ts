import { createRoute } from '@hono/zod-openapi';
import { checkOutboundUrl } from '@wagate/config';
import { DomainError, ErrorKey, type Reason } from '@wagate/errors';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { accountInSubtree, WebhookAccountQuery } from '../http/supervisor.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { WebhookSettingsInputSchema, WebhookSettingsSchema } from '../schemas/webhooks.js';
import type { ApiApp, RouteDeps } from './types.js';
import { webhookSettingsView } from './v1_webhooks_incoming_get.js';

export const putIncomingWebhookRoute = createRoute({
  method: 'put',
  path: '/v1/webhooks/incoming',
  tags: ['Webhooks'],
  operationId: 'putIncomingWebhook',
  summary: 'Set the webhook URLs',
  description:
    'Replaces both URLs at once: give `incomingUrl` and `statusUrl`, each an absolute http(s) URL or `null` to clear ' +
    'it. They apply to what arrives from now on, including statuses of messages sent earlier. Needs the `manage` scope; ' +
    '`?accountId=` sets those of an account below the caller.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    query: WebhookAccountQuery,
    body: { required: true, content: { 'application/json': { schema: WebhookSettingsInputSchema } } },
  },
  responses: {
    200: {
      description: 'The URLs as stored.',
      content: { 'application/json': { schema: WebhookSettingsSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 413, 415, 500, 503),
  },
});

export function registerPutIncomingWebhook(app: ApiApp, deps: RouteDeps): void {
  app.openapi(putIncomingWebhookRoute, async (c) => {
    const accountId = await accountInSubtree(deps.peers, c.get('principal'), c.req.valid('query').accountId);
    const body = c.req.valid('json');
    // The SSRF rule of the send call's callbackUrl (dispatch checks resolved addresses again).
    const reasons: Reason[] = [];
    const faults: string[] = [];
    for (const field of ['incomingUrl', 'statusUrl'] as const) {
      const value = body[field];
      if (value === null || value === undefined) continue;
      const check = checkOutboundUrl(value, deps.outboundUrls?.callbacks);
      if (check.ok) continue;
      reasons.push({ key: ErrorKey.Invalid, ref: field });
      faults.push(`\`${field}\` must be a public address: ${check.reason} is not reachable from wagate`);
    }
    if (reasons.length > 0) throw DomainError.withReasons(reasons, faults.join('; '));
    const { settings } = await deps.peers.dispatch.setWebhookSettings({
      accountId,
      incomingUrl: body.incomingUrl ?? '',
      statusUrl: body.statusUrl ?? '',
    });
    return c.json(webhookSettingsView(settings), 200);
  });
}
