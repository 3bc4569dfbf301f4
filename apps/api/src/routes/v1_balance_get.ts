import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../http/auth.js';
import { BalanceSchema } from '../schemas/balance.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import type { ApiApp, RouteDeps } from './types.js';

export const getBalanceRoute = createRoute({
  method: 'get',
  path: '/v1/balance',
  tags: ['Billing'],
  operationId: 'getBalance',
  summary: 'Get the balance',
  description:
    "The account's prepaid balance and the funds held by messages not yet settled, in minor units.",
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  responses: {
    200: { description: 'The balance.', content: { 'application/json': { schema: BalanceSchema } } },
    ...errorResponses(401, 403, 404, 500, 503),
  },
});

export function registerGetBalance(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getBalanceRoute, async (c) => {
    const balance = await deps.peers.billing.getBalance({ accountId: c.get('principal').accountId });
    return c.json(
      {
        accountId: balance.accountId,
        currency: balance.currency,
        balanceMinor: Number(balance.balanceMinor),
        reservedMinor: Number(balance.reservedMinor),
        creditLimitMinor: balance.creditLimitMinor === undefined ? null : Number(balance.creditLimitMinor),
      },
      200,
    );
  });
}
