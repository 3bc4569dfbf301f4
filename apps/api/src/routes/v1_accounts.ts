import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import {
  AccountIdParam,
  AccountListSchema,
  AccountSchema,
  CreateAccountSchema,
  ListAccountsQuery,
  UpdateAccountSchema,
} from '../schemas/accounts.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { accountView } from '../views/accounts.js';
import type { ApiApp, RouteDeps } from './types.js';

const accountResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: AccountSchema } },
});

export const getOwnAccountRoute = createRoute({
  method: 'get',
  path: '/v1/account',
  tags: ['Accounts'],
  operationId: 'getOwnAccount',
  summary: "Get the key's own account",
  description:
    'The account the API key belongs to: its kind, status, balance, credit, markup and quotas. Needs `read`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  responses: { 200: accountResponse('The account.'), ...errorResponses(401, 403, 500, 503) },
});

export const createAccountRoute = createRoute({
  method: 'post',
  path: '/v1/accounts',
  tags: ['Accounts'],
  operationId: 'createAccount',
  summary: 'Create a sub-account',
  description:
    'A reseller (or the platform) creates an account under itself or under a reseller of its subtree. The child ' +
    "inherits the parent's currency, starts with a zero balance, and pays its parent's price plus `markupBps` until " +
    'prices are set for it. Needs `manage`.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: { body: { required: true, content: { 'application/json': { schema: CreateAccountSchema } } } },
  responses: {
    201: accountResponse('The new account.'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 500, 503),
  },
});

export const listAccountsRoute = createRoute({
  method: 'get',
  path: '/v1/accounts',
  tags: ['Accounts'],
  operationId: 'listAccounts',
  summary: 'List sub-accounts',
  description:
    'Every account below yours (any depth), oldest first, one page at a time; accounts of other subtrees never appear. Needs `read`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: ListAccountsQuery },
  responses: {
    200: { description: 'One page.', content: { 'application/json': { schema: AccountListSchema } } },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export const getAccountRoute = createRoute({
  method: 'get',
  path: '/v1/accounts/{accountId}',
  tags: ['Accounts'],
  operationId: 'getAccount',
  summary: 'Get an account',
  description:
    'Yours or one below it. An account of another subtree answers 404, like a missing one. Needs `read`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { params: AccountIdParam },
  responses: { 200: accountResponse('The account.'), ...errorResponses(401, 403, 404, 500, 503) },
});

export const updateAccountRoute = createRoute({
  method: 'patch',
  path: '/v1/accounts/{accountId}',
  tags: ['Accounts'],
  operationId: 'updateAccount',
  summary: 'Change a sub-account',
  description:
    'Suspend or reactivate it (a suspended account — and everything below it — cannot send, and its keys answer 403), ' +
    'close it for good (its keys are revoked; its sub-accounts must be closed first), change its markup, credit limit ' +
    'or quotas. Only for accounts below yours: your own account answers 403. Needs `manage`.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    params: AccountIdParam,
    body: { required: true, content: { 'application/json': { schema: UpdateAccountSchema } } },
  },
  responses: {
    200: accountResponse('The account as changed.'),
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 500, 503),
  },
});

/** -1 tells billing to clear a limit (proto has no "set to null"). */
const orClear = (value: number | null | undefined) => (value === undefined ? undefined : (value ?? -1));

export function registerAccounts(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getOwnAccountRoute, async (c) => {
    const principal = c.get('principal');
    const { account } = await deps.peers.billing.getAccount({
      actorAccountId: principal.accountId,
      accountId: principal.accountId,
    });
    return c.json(accountView(account), 200);
  });

  app.openapi(createAccountRoute, async (c) => {
    const body = c.req.valid('json');
    const { account } = await deps.peers.billing.createAccount({
      actorAccountId: c.get('principal').accountId,
      parentId: body.parentId ?? '',
      name: body.name,
      kind: body.kind,
      markupBps: body.markupBps ?? 0,
    });
    return c.json(accountView(account), 201);
  });

  app.openapi(listAccountsRoute, async (c) => {
    const query = c.req.valid('query');
    const page = await deps.peers.billing.listAccounts({
      actorAccountId: c.get('principal').accountId,
      parentId: query.parentId ?? '',
      status: query.status ?? '',
      limit: query.limit ?? 0,
      cursor: query.cursor ?? '',
    });
    return c.json({ data: page.accounts.map(accountView), nextCursor: page.nextCursor || null }, 200);
  });

  app.openapi(getAccountRoute, async (c) => {
    const { account } = await deps.peers.billing.getAccount({
      actorAccountId: c.get('principal').accountId,
      accountId: c.req.valid('param').accountId,
    });
    return c.json(accountView(account), 200);
  });

  app.openapi(updateAccountRoute, async (c) => {
    const body = c.req.valid('json');
    const credit = orClear(body.creditLimitMinor);
    const { account } = await deps.peers.billing.updateAccount({
      actorAccountId: c.get('principal').accountId,
      accountId: c.req.valid('param').accountId,
      name: body.name,
      status: body.status,
      markupBps: body.markupBps,
      creditLimitMinor: credit === undefined ? undefined : String(credit),
      dailyQuota: orClear(body.dailyQuota),
      monthlyQuota: orClear(body.monthlyQuota),
    });
    return c.json(accountView(account), 200);
  });
}
