import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { accountInSubtree, SubtreeAccountQuery } from '../http/supervisor.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import {
  AddedOptOutsSchema,
  AddOptOutsSchema,
  OptOutListQuery,
  OptOutListSchema,
  OptOutRecipientParam,
} from '../schemas/policy.js';
import { isoTime } from '../views/messages.js';
import type { ApiApp, RouteDeps } from './types.js';

export const listOptOutsRoute = createRoute({
  method: 'get',
  path: '/v1/opt-outs',
  tags: ['Policy'],
  operationId: 'listOptOuts',
  summary: 'List recipients who opted out',
  description:
    'Recipients the account\'s messages are not sent to: they fail with 2302, `rule: "opt-out"`. A recipient ' +
    'joins the list by replying with nothing but a stop word (STOP, UNSUBSCRIBE, СТОП, ОТПИСАТЬСЯ, ALTO, ARRÊT, … ' +
    'see the README) and leaves it by replying START; the account adds and removes them here too. Needs `read`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: OptOutListQuery.merge(SubtreeAccountQuery) },
  responses: {
    200: {
      description: 'One page of the list.',
      content: { 'application/json': { schema: OptOutListSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export const addOptOutsRoute = createRoute({
  method: 'post',
  path: '/v1/opt-outs',
  tags: ['Policy'],
  operationId: 'addOptOuts',
  summary: 'Add recipients to the opt-out list',
  description: 'Adding one already on the list changes nothing. Needs `manage`.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    query: SubtreeAccountQuery,
    body: { required: true, content: { 'application/json': { schema: AddOptOutsSchema } } },
  },
  responses: {
    200: { description: 'Added.', content: { 'application/json': { schema: AddedOptOutsSchema } } },
    ...errorResponses(400, 401, 403, 404, 413, 415, 500, 503),
  },
});

export const putOptOutRoute = createRoute({
  method: 'put',
  path: '/v1/opt-outs/{recipient}',
  tags: ['Policy'],
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  request: { params: OptOutRecipientParam, query: SubtreeAccountQuery },
  operationId: 'putOptOut',
  summary: 'Put one recipient on the opt-out list',
  description: 'The same as adding it with `POST /v1/opt-outs`; idempotent. Needs `manage`.',
  responses: {
    200: { description: 'On the list.', content: { 'application/json': { schema: AddedOptOutsSchema } } },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export const removeOptOutRoute = createRoute({
  method: 'delete',
  path: '/v1/opt-outs/{recipient}',
  tags: ['Policy'],
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  request: { params: OptOutRecipientParam, query: SubtreeAccountQuery },
  operationId: 'removeOptOut',
  summary: 'Take a recipient off the opt-out list',
  description: "The account's messages go to them again. 404 when they are not on the list. Needs `manage`.",
  responses: {
    204: { description: 'Removed.' },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerOptOuts(app: ApiApp, deps: RouteDeps): void {
  app.openapi(listOptOutsRoute, async (c) => {
    const query = c.req.valid('query');
    const accountId = await accountInSubtree(deps.peers, c.get('principal'), query.accountId);
    const page = await deps.peers.dispatch.listOptOuts({
      accountId,
      limit: query.limit ?? 0,
      cursor: query.cursor ?? '',
    });
    return c.json(
      {
        data: page.optOuts.map((optOut) => ({
          recipient: optOut.recipient,
          source: optOut.source === 'inbound' ? ('inbound' as const) : ('api' as const),
          keyword: optOut.keyword || null,
          createdAt: isoTime(optOut.createdAtMs),
        })),
        nextCursor: page.nextCursor || null,
      },
      200,
    );
  });
  app.openapi(addOptOutsRoute, async (c) => {
    const accountId = await accountInSubtree(deps.peers, c.get('principal'), c.req.valid('query').accountId);
    const { added } = await deps.peers.dispatch.addOptOuts({
      accountId,
      recipients: c.req.valid('json').recipients,
    });
    return c.json({ added }, 200);
  });
  app.openapi(putOptOutRoute, async (c) => {
    const accountId = await accountInSubtree(deps.peers, c.get('principal'), c.req.valid('query').accountId);
    const { added } = await deps.peers.dispatch.addOptOuts({
      accountId,
      recipients: [c.req.valid('param').recipient],
    });
    return c.json({ added }, 200);
  });
  app.openapi(removeOptOutRoute, async (c) => {
    const accountId = await accountInSubtree(deps.peers, c.get('principal'), c.req.valid('query').accountId);
    await deps.peers.dispatch.removeOptOut({ accountId, recipient: c.req.valid('param').recipient });
    return c.body(null, 204);
  });
}
