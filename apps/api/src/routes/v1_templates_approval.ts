import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { SupervisedAccountQuery, supervisedAccount } from '../http/supervisor.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { TemplateIdParam, TemplateReviewSchema, TemplateSchema } from '../schemas/templates.js';
import { templateView } from '../views/templates.js';
import type { ApiApp, RouteDeps } from './types.js';

export const submitTemplateRoute = createRoute({
  method: 'post',
  path: '/v1/templates/{templateId}/submit',
  tags: ['Templates'],
  operationId: 'submitTemplate',
  summary: 'Submit a template for review',
  description:
    'Every language whose newest revision is a `draft` becomes `pending`. Nothing to submit is 400 `invalid`. Needs ' +
    'the `manage` scope.',
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  request: { params: TemplateIdParam },
  responses: {
    200: { description: 'The template.', content: { 'application/json': { schema: TemplateSchema } } },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export const reviewTemplateRoute = createRoute({
  method: 'post',
  path: '/v1/templates/{templateId}/review',
  tags: ['Templates'],
  operationId: 'reviewTemplate',
  summary: 'Approve, reject or pause a language version',
  description:
    "The review of the account's reseller or the platform admin. Approving makes the pending revision the one sends " +
    'get (the previously approved one is `superseded`). A decision the state does not allow (approving a draft, ' +
    'pausing what is not approved) is 400 `invalid`. The reviewer calls with a `manage` key of an account above the ' +
    "template's (its reseller, any ancestor, or the platform) and `?accountId=` the template's account.",
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    params: TemplateIdParam,
    query: SupervisedAccountQuery,
    body: { required: true, content: { 'application/json': { schema: TemplateReviewSchema } } },
  },
  responses: {
    200: { description: 'The template.', content: { 'application/json': { schema: TemplateSchema } } },
    ...errorResponses(400, 401, 403, 404, 413, 415, 500, 503),
  },
});

export function registerTemplateApproval(app: ApiApp, deps: RouteDeps): void {
  app.openapi(submitTemplateRoute, async (c) => {
    const { template } = await deps.peers.templates.submitTemplate({
      accountId: c.get('principal').accountId,
      templateId: c.req.valid('param').templateId,
    });
    return c.json(templateView(template), 200);
  });
  app.openapi(reviewTemplateRoute, async (c) => {
    const principal = c.get('principal');
    const body = c.req.valid('json');
    const accountId = await supervisedAccount(deps.peers, principal, c.req.valid('query').accountId);
    const { template } = await deps.peers.templates.reviewTemplate({
      accountId,
      templateId: c.req.valid('param').templateId,
      languageCode: body.languageCode,
      decision: body.decision,
      reason: body.reason ?? '',
      reviewer: principal.keyId,
    });
    return c.json(templateView(template), 200);
  });
}
