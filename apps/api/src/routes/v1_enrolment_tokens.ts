import { createRoute } from '@hono/zod-openapi';
import { enrollingAccount } from '../http/account-scope.js';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { SupervisedAccountQuery } from '../http/supervisor.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { CreateEnrolmentTokenSchema, EnrolmentTokenSchema } from '../schemas/devices.js';
import { isoTime } from '../views/messages.js';
import type { ApiApp, RouteDeps } from './types.js';

export const createEnrolmentTokenRoute = createRoute({
  method: 'post',
  path: '/v1/enrolment-tokens',
  tags: ['Devices'],
  operationId: 'createEnrolmentToken',
  summary: 'Create an enrolment token',
  description:
    'A token an agent host presents once (WAGATE_ENROLMENT_TOKEN) to register its devices under the account; the ' +
    'fleet then gives the agent a credential of its own. The response holds the token this once: wagate keeps ' +
    'only its SHA-256. Made by the platform or a reseller (a `manage` key), for its own account or, with ' +
    '`?accountId=`, one below it.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    query: SupervisedAccountQuery,
    body: { required: true, content: { 'application/json': { schema: CreateEnrolmentTokenSchema } } },
  },
  responses: {
    201: {
      description: 'The token, with its secret.',
      content: { 'application/json': { schema: EnrolmentTokenSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 413, 415, 500, 503),
  },
});

export function registerEnrolmentTokens(app: ApiApp, deps: RouteDeps): void {
  app.openapi(createEnrolmentTokenRoute, async (c) => {
    const principal = c.get('principal');
    const accountId = await enrollingAccount(deps.peers, principal, c.req.valid('query').accountId);
    const body = c.req.valid('json');
    const { token, secret } = await deps.peers.fleet.createEnrolmentToken({
      accountId,
      maxUses: body.maxUses ?? 1,
      expiresAtMs: body.expiresAt === undefined ? '0' : String(Date.parse(body.expiresAt)),
      sender: body.sender ?? '',
      createdByAccountId: principal.accountId,
    });
    if (!token) throw new Error('fleet answered a new enrolment token without it');
    return c.json(
      {
        tokenId: token.tokenId,
        token: secret,
        accountId: token.accountId,
        maxUses: token.maxUses,
        expiresAt: isoTime(token.expiresAtMs),
        sender: token.sender || null,
        createdAt: isoTime(token.createdAtMs),
      },
      201,
    );
  });
}
