import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import {
  AccountIdParam,
  PricesQuery,
  PricesSchema,
  SetPricesSchema,
  TransferCreditSchema,
  TransferResultSchema,
} from '../schemas/accounts.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { accountView, pricesView } from '../views/accounts.js';
import type { ApiApp, RouteDeps } from './types.js';

export const getPricesRoute = createRoute({
  method: 'get',
  path: '/v1/accounts/{accountId}/prices',
  tags: ['Accounts'],
  operationId: 'getPrices',
  summary: 'Get what an account pays',
  description:
    'The price list set for the account (yours or one below), and with `?country=` what each kind of message costs it. Needs `read`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { params: AccountIdParam, query: PricesQuery },
  responses: {
    200: { description: 'The prices.', content: { 'application/json': { schema: PricesSchema } } },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export const setPricesRoute = createRoute({
  method: 'put',
  path: '/v1/accounts/{accountId}/prices',
  tags: ['Accounts'],
  operationId: 'setPrices',
  summary: 'Set what a sub-account pays',
  description:
    'Replaces the price list of an account below yours, per recipient country (`*` for any) and kind of message, in ' +
    'minor units. Where the list sets nothing, the account pays your price plus its markup. Prices apply to messages ' +
    'accepted from now on; reserved ones keep their price. Needs `manage`.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    params: AccountIdParam,
    body: { required: true, content: { 'application/json': { schema: SetPricesSchema } } },
  },
  responses: {
    200: { description: 'The prices as stored.', content: { 'application/json': { schema: PricesSchema } } },
    ...errorResponses(400, 401, 403, 404, 413, 415, 500, 503),
  },
});

export const transferCreditRoute = createRoute({
  method: 'post',
  path: '/v1/accounts/{accountId}/credit',
  tags: ['Accounts'],
  operationId: 'transferCredit',
  summary: 'Move credit to or from a sub-account',
  description:
    'Moves money between your balance and a direct child: positive to the child, negative back. Only money the payer ' +
    'has (balance less held funds, credit limit not counted) can move; otherwise 409 `billing.error`. The platform ' +
    "account's transfers are top-ups paid outside wagate. Both sides are ledger entries. Needs `manage`.",
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    params: AccountIdParam,
    body: { required: true, content: { 'application/json': { schema: TransferCreditSchema } } },
  },
  responses: {
    200: {
      description: 'Both accounts after the transfer.',
      content: { 'application/json': { schema: TransferResultSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 500, 503),
  },
});

export function registerAccountMoney(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getPricesRoute, async (c) => {
    const { prices } = await deps.peers.billing.getPrices({
      actorAccountId: c.get('principal').accountId,
      accountId: c.req.valid('param').accountId,
      country: c.req.valid('query').country ?? '',
    });
    return c.json(pricesView(prices), 200);
  });

  app.openapi(setPricesRoute, async (c) => {
    const { prices } = await deps.peers.billing.setPrices({
      actorAccountId: c.get('principal').accountId,
      accountId: c.req.valid('param').accountId,
      prices: c.req.valid('json').prices.map((price) => ({ ...price, priceMinor: String(price.priceMinor) })),
    });
    return c.json(pricesView(prices), 200);
  });

  app.openapi(transferCreditRoute, async (c) => {
    const body = c.req.valid('json');
    const result = await deps.peers.billing.transferCredit({
      actorAccountId: c.get('principal').accountId,
      accountId: c.req.valid('param').accountId,
      amountMinor: String(body.amountMinor),
      memo: body.memo ?? '',
    });
    return c.json({ account: accountView(result.account), from: accountView(result.actor) }, 200);
  });
}
