import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { TemplateCreateSchema, TemplateSchema } from '../schemas/templates.js';
import { languageInput, templateView } from '../views/templates.js';
import type { ApiApp, RouteDeps } from './types.js';

export const createTemplateRoute = createRoute({
  method: 'post',
  path: '/v1/templates',
  tags: ['Templates'],
  operationId: 'createTemplate',
  summary: 'Create a template',
  description:
    'A name, a category and one or more language versions, each a `draft`: submit it for review, and once approved ' +
    'send it with `templateId`. A name the account already uses is 400 `invalid`. Needs the `manage` scope.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: { body: { required: true, content: { 'application/json': { schema: TemplateCreateSchema } } } },
  responses: {
    201: { description: 'The template.', content: { 'application/json': { schema: TemplateSchema } } },
    ...errorResponses(400, 401, 403, 413, 415, 500, 503),
  },
});

export function registerCreateTemplate(app: ApiApp, deps: RouteDeps): void {
  app.openapi(createTemplateRoute, async (c) => {
    const body = c.req.valid('json');
    const { template } = await deps.peers.templates.createTemplate({
      accountId: c.get('principal').accountId,
      name: body.name,
      category: body.category,
      defaultLanguage: body.defaultLanguage ?? '',
      languages: body.languages.map(languageInput),
    });
    return c.json(templateView(template), 201);
  });
}
