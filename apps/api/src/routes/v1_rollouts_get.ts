import { createRoute } from '@hono/zod-openapi';
import { accountSubtree } from '../http/account-scope.js';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { RolloutIdParam, RolloutResultSchema } from '../schemas/vm.js';
import { rolloutView } from '../views/vm.js';
import type { ApiApp, RouteDeps } from './types.js';

export const getRolloutRoute = createRoute({
  method: 'get',
  path: '/v1/rollouts/{rolloutId}',
  tags: ['Devices'],
  operationId: 'getRollout',
  summary: 'A rollout’s progress',
  description:
    'Its state (`running`, `completed`, `halted` with the reason), the wave it is on and its devices succeeded, ' +
    "failed and in progress. Another tree's rollout is 404, like a missing one. Needs `read`.",
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { params: RolloutIdParam },
  responses: {
    200: { description: 'The rollout.', content: { 'application/json': { schema: RolloutResultSchema } } },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerGetRollout(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getRolloutRoute, async (c) => {
    const { rollout } = await deps.peers.fleet.getRollout({
      accountIds: await accountSubtree(deps.peers, c.get('principal'), undefined),
      rolloutId: c.req.valid('param').rolloutId,
    });
    return c.json({ rollout: rolloutView(rollout) }, 200);
  });
}
