import { createRoute } from '@hono/zod-openapi';
import { accountSubtree } from '../http/account-scope.js';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { AgentListQuery, AgentListSchema } from '../schemas/vm.js';
import { agentView } from '../views/vm.js';
import type { ApiApp, RouteDeps } from './types.js';

export const listAgentsRoute = createRoute({
  method: 'get',
  path: '/v1/agents',
  tags: ['Devices'],
  operationId: 'listAgents',
  summary: 'List agent hosts with their VMs and free capacity',
  description:
    'The agent hosts of the account and every account below it (or of one subtree with `?accountId=`): their ' +
    'VM provider, VMs and how many run, how many VMs their budget holds and how many more they could start, and ' +
    'CPU, load, memory and disk as each agent last reported them. Needs `read`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: AgentListQuery },
  responses: {
    200: { description: 'The agent hosts.', content: { 'application/json': { schema: AgentListSchema } } },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerListAgents(app: ApiApp, deps: RouteDeps): void {
  app.openapi(listAgentsRoute, async (c) => {
    const { agents } = await deps.peers.fleet.listAgents({
      accountIds: await accountSubtree(deps.peers, c.get('principal'), c.req.valid('query').accountId),
    });
    return c.json({ data: agents.map(agentView) }, 200);
  });
}
