import { createRoute } from '@hono/zod-openapi';
import type { dispatch } from '@wagate/contracts';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import {
  accountInSubtree,
  ReadableAccountQuery,
  SupervisedAccountQuery,
  supervisedAccount,
} from '../http/supervisor.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { ConversationWindowPolicySchema, ConversationWindowPolicyViewSchema } from '../schemas/templates.js';
import { isoTime } from '../views/messages.js';
import type { ApiApp, RouteDeps } from './types.js';

const path = '/v1/policies/conversation-window';

export const getConversationWindowRoute = createRoute({
  method: 'get',
  path,
  tags: ['Templates'],
  operationId: 'getConversationWindowPolicy',
  summary: "Get the account's conversation-window policy",
  description:
    'Whether free-form messages need a conversation the recipient opened in the last 24 hours. Needs `read`; ' +
    "a reseller or the platform reads a customer's with `?accountId=` (an account outside the caller's tree is 404).",
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: ReadableAccountQuery },
  responses: {
    200: {
      description: 'The policy.',
      content: { 'application/json': { schema: ConversationWindowPolicyViewSchema } },
    },
    ...errorResponses(401, 403, 404, 500, 503),
  },
});

export const putConversationWindowRoute = createRoute({
  method: 'put',
  path,
  tags: ['Templates'],
  operationId: 'putConversationWindowPolicy',
  summary: "Set the account's conversation-window policy",
  description:
    "Set by the account's reseller or the platform admin. With `enforce`, a message without `templateId` to a " +
    'recipient who has not written to that sender in the last 24 hours is accepted and fails with 2312; every ' +
    'incoming message opens or extends the window of its sender and recipient. The reseller calls with a `manage` ' +
    'key of its own and `?accountId=` the account.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    query: SupervisedAccountQuery,
    body: { required: true, content: { 'application/json': { schema: ConversationWindowPolicySchema } } },
  },
  responses: {
    200: {
      description: 'The policy as stored.',
      content: { 'application/json': { schema: ConversationWindowPolicyViewSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 413, 415, 500, 503),
  },
});

export function registerConversationWindowPolicy(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getConversationWindowRoute, async (c) => {
    const accountId = await accountInSubtree(deps.peers, c.get('principal'), c.req.valid('query').accountId);
    const { policy } = await deps.peers.dispatch.getConversationWindowPolicy({ accountId });
    return c.json(policyView(policy), 200);
  });
  app.openapi(putConversationWindowRoute, async (c) => {
    const accountId = await supervisedAccount(deps.peers, c.get('principal'), c.req.valid('query').accountId);
    const { policy } = await deps.peers.dispatch.setConversationWindowPolicy({
      accountId,
      mode: c.req.valid('json').mode,
    });
    return c.json(policyView(policy), 200);
  });
}

function policyView(policy: dispatch.ConversationWindowPolicy | undefined) {
  if (!policy) throw new Error('dispatch answered without the policy');
  return {
    mode: policy.mode === 'enforce' ? ('enforce' as const) : ('off' as const),
    updatedAt: policy.updatedAtMs !== '0' ? isoTime(policy.updatedAtMs) : null,
  };
}
