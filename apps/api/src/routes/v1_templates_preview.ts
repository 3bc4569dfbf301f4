import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { TemplateIdParam, TemplatePreviewInputSchema, TemplatePreviewSchema } from '../schemas/templates.js';
import type { ApiApp, RouteDeps } from './types.js';

export const previewTemplateRoute = createRoute({
  method: 'post',
  path: '/v1/templates/{templateId}/preview',
  tags: ['Templates'],
  operationId: 'previewTemplate',
  summary: 'Preview a send',
  description:
    'Renders the approved version exactly as a send with these `languageCode` and `templateParams` would, without ' +
    'sending: the text, or the code the message would fail with (2308–2311). A missing template answers `ok: false` ' +
    'with 2309, as a send would. Needs the `send` scope.',
  security: apiKeySecurity,
  middleware: [requireScope('send'), jsonObjectBody()] as const,
  request: {
    params: TemplateIdParam,
    body: { required: true, content: { 'application/json': { schema: TemplatePreviewInputSchema } } },
  },
  responses: {
    200: {
      description: 'What a send would do.',
      content: { 'application/json': { schema: TemplatePreviewSchema } },
    },
    ...errorResponses(400, 401, 403, 413, 415, 500, 503),
  },
});

export function registerPreviewTemplate(app: ApiApp, deps: RouteDeps): void {
  app.openapi(previewTemplateRoute, async (c) => {
    const body = c.req.valid('json');
    const { results } = await deps.peers.templates.render({
      accountId: c.get('principal').accountId,
      items: [
        {
          messageId: 'preview',
          templateId: c.req.valid('param').templateId,
          params: body.templateParams ?? {},
          languageCode: body.languageCode ?? '',
        },
      ],
    });
    const result = results[0];
    if (!result) throw new Error('templates answered a render without its result');
    const ok = result.errorCode === 0;
    return c.json(
      {
        ok,
        text: ok ? result.text : null,
        languageCode: ok ? result.languageCode : null,
        revision: ok ? result.revision : null,
        errorCode: result.errorCode,
        description: result.description || null,
      },
      200,
    );
  });
}
