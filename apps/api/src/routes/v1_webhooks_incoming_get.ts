import { createRoute } from '@hono/zod-openapi';
import type { dispatch } from '@wagate/contracts';
import { requireScope } from '../http/auth.js';
import { accountInSubtree, WebhookAccountQuery } from '../http/supervisor.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { WebhookSettingsSchema } from '../schemas/webhooks.js';
import { isoTime } from '../views/messages.js';
import type { ApiApp, RouteDeps } from './types.js';

export const getIncomingWebhookRoute = createRoute({
  method: 'get',
  path: '/v1/webhooks/incoming',
  tags: ['Webhooks'],
  operationId: 'getIncomingWebhook',
  summary: 'Get the webhook URLs',
  description:
    "Where the account's incoming messages are POSTed, and the default status URL for messages sent without a " +
    '`callbackUrl`. Devino sets these by hand through support; wagate lets the account set them. `?accountId=` ' +
    'reads those of an account below the caller.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: WebhookAccountQuery },
  responses: {
    200: {
      description: 'The webhook URLs.',
      content: { 'application/json': { schema: WebhookSettingsSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerGetIncomingWebhook(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getIncomingWebhookRoute, async (c) => {
    const accountId = await accountInSubtree(deps.peers, c.get('principal'), c.req.valid('query').accountId);
    const { settings } = await deps.peers.dispatch.getWebhookSettings({ accountId });
    return c.json(webhookSettingsView(settings), 200);
  });
}

/** Empty URLs and a never-set time read as null. */
export function webhookSettingsView(settings: dispatch.WebhookSettings | undefined) {
  return {
    incomingUrl: settings?.incomingUrl || null,
    statusUrl: settings?.statusUrl || null,
    updatedAt: settings && settings.updatedAtMs !== '0' ? isoTime(settings.updatedAtMs) : null,
  };
}
