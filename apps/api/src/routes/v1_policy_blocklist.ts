import { createRoute } from '@hono/zod-openapi';
import type { dispatch } from '@wagate/contracts';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { accountInSubtree, SubtreeAccountQuery } from '../http/supervisor.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { BlocklistSchema, BlocklistViewSchema } from '../schemas/policy.js';
import { isoTime } from '../views/messages.js';
import type { ApiApp, RouteDeps } from './types.js';

const path = '/v1/policy/blocklist';

export const getBlocklistRoute = createRoute({
  method: 'get',
  path,
  tags: ['Policy'],
  operationId: 'getBlocklist',
  summary: "Get an account's blocklist",
  description:
    "The account's own blocked words and domains (not those of the accounts above it, which apply too). " +
    "Needs `read`; a reseller reads a customer's with `?accountId=`.",
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: SubtreeAccountQuery },
  responses: {
    200: { description: 'The blocklist.', content: { 'application/json': { schema: BlocklistViewSchema } } },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export const putBlocklistRoute = createRoute({
  method: 'put',
  path,
  tags: ['Policy'],
  operationId: 'putBlocklist',
  summary: "Replace an account's blocklist",
  description:
    'Messages of the account and of every account below it whose text or media URL contains a listed word or ' +
    'domain are accepted and fail with 2017, `rule: "blocked-content"` in their history. The platform keeps the ' +
    'list every account is subject to, a reseller the one of its customers. Needs `manage`; `?accountId=` sets ' +
    'the list of an account below the caller.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    query: SubtreeAccountQuery,
    body: { required: true, content: { 'application/json': { schema: BlocklistSchema } } },
  },
  responses: {
    200: {
      description: 'The blocklist as stored (normalised).',
      content: { 'application/json': { schema: BlocklistViewSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 413, 415, 500, 503),
  },
});

export function registerBlocklist(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getBlocklistRoute, async (c) => {
    const accountId = await accountInSubtree(deps.peers, c.get('principal'), c.req.valid('query').accountId);
    const { blocklist } = await deps.peers.dispatch.getBlocklist({ accountId });
    return c.json(blocklistView(blocklist), 200);
  });
  app.openapi(putBlocklistRoute, async (c) => {
    const accountId = await accountInSubtree(deps.peers, c.get('principal'), c.req.valid('query').accountId);
    const { words, domains } = c.req.valid('json');
    const { blocklist } = await deps.peers.dispatch.setBlocklist({ accountId, words, domains });
    return c.json(blocklistView(blocklist), 200);
  });
}

function blocklistView(blocklist: dispatch.Blocklist | undefined) {
  if (!blocklist) throw new Error('dispatch answered without the blocklist');
  return {
    words: blocklist.words,
    domains: blocklist.domains,
    updatedAt: blocklist.updatedAtMs !== '0' ? isoTime(blocklist.updatedAtMs) : null,
  };
}
