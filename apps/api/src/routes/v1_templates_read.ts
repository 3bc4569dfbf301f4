import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../http/auth.js';
import { accountInSubtree, ReadableAccountQuery } from '../http/supervisor.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import {
  ListTemplatesQuery,
  TemplateIdParam,
  TemplateListSchema,
  TemplateSchema,
} from '../schemas/templates.js';
import { templateView } from '../views/templates.js';
import type { ApiApp, RouteDeps } from './types.js';

export const getTemplateRoute = createRoute({
  method: 'get',
  path: '/v1/templates/{templateId}',
  tags: ['Templates'],
  operationId: 'getTemplate',
  summary: 'Get a template',
  description:
    "A template of the caller's account with every language's newest and serving revision. Another account's template " +
    "answers 404, like a missing one. A reseller or the platform reads a template of an account below it with " +
    '`?accountId=` (to review it). Needs the `read` scope.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { params: TemplateIdParam, query: ReadableAccountQuery },
  responses: {
    200: { description: 'The template.', content: { 'application/json': { schema: TemplateSchema } } },
    ...errorResponses(401, 403, 404, 500, 503),
  },
});

export const listTemplatesRoute = createRoute({
  method: 'get',
  path: '/v1/templates',
  tags: ['Templates'],
  operationId: 'listTemplates',
  summary: 'List templates',
  description:
    "The account's templates, newest first, one page at a time: pass `nextCursor` back as `cursor` until it is `null`. " +
    "With `?accountId=` an account below the caller's (a reseller's or the platform's review queue). Needs the " +
    '`read` scope.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: ListTemplatesQuery.extend(ReadableAccountQuery.shape) },
  responses: {
    200: { description: 'One page.', content: { 'application/json': { schema: TemplateListSchema } } },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerReadTemplates(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getTemplateRoute, async (c) => {
    const { template } = await deps.peers.templates.getTemplate({
      accountId: await accountInSubtree(deps.peers, c.get('principal'), c.req.valid('query').accountId),
      templateId: c.req.valid('param').templateId,
    });
    return c.json(templateView(template), 200);
  });
  app.openapi(listTemplatesRoute, async (c) => {
    const query = c.req.valid('query');
    const page = await deps.peers.templates.listTemplates({
      accountId: await accountInSubtree(deps.peers, c.get('principal'), query.accountId),
      limit: query.limit ?? 0,
      cursor: query.cursor ?? '',
    });
    return c.json({ data: page.templates.map(templateView), nextCursor: page.nextCursor || null }, 200);
  });
}
