import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { TemplateIdParam, TemplateSchema, TemplateUpdateSchema } from '../schemas/templates.js';
import { languageInput, templateView } from '../views/templates.js';
import type { ApiApp, RouteDeps } from './types.js';

export const updateTemplateRoute = createRoute({
  method: 'patch',
  path: '/v1/templates/{templateId}',
  tags: ['Templates'],
  operationId: 'updateTemplate',
  summary: 'Edit a template',
  description:
    'Adds languages or edits them: changed content becomes a new `draft` revision to submit; an approved revision ' +
    'keeps serving sends until the new one is approved. Needs the `manage` scope.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    params: TemplateIdParam,
    body: { required: true, content: { 'application/json': { schema: TemplateUpdateSchema } } },
  },
  responses: {
    200: { description: 'The template.', content: { 'application/json': { schema: TemplateSchema } } },
    ...errorResponses(400, 401, 403, 404, 413, 415, 500, 503),
  },
});

export const deleteTemplateRoute = createRoute({
  method: 'delete',
  path: '/v1/templates/{templateId}',
  tags: ['Templates'],
  operationId: 'deleteTemplate',
  summary: 'Delete a template',
  description:
    'Deletes the template and every revision; sends naming it afterwards fail with 2309. Needs the `manage` scope.',
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  request: { params: TemplateIdParam },
  responses: {
    204: { description: 'Deleted.' },
    ...errorResponses(401, 403, 404, 500, 503),
  },
});

export function registerChangeTemplate(app: ApiApp, deps: RouteDeps): void {
  app.openapi(updateTemplateRoute, async (c) => {
    const body = c.req.valid('json');
    const { template } = await deps.peers.templates.updateTemplate({
      accountId: c.get('principal').accountId,
      templateId: c.req.valid('param').templateId,
      ...(body.defaultLanguage !== undefined ? { defaultLanguage: body.defaultLanguage } : {}),
      languages: (body.languages ?? []).map(languageInput),
    });
    return c.json(templateView(template), 200);
  });
  app.openapi(deleteTemplateRoute, async (c) => {
    await deps.peers.templates.deleteTemplate({
      accountId: c.get('principal').accountId,
      templateId: c.req.valid('param').templateId,
    });
    return c.body(null, 204);
  });
}
