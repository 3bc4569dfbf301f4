import { createRoute } from '@hono/zod-openapi';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { accountInSubtree, SubtreeAccountQuery } from '../http/supervisor.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { CreateRolloutSchema, RolloutResultSchema } from '../schemas/vm.js';
import { rolloutView } from '../views/vm.js';
import type { ApiApp, RouteDeps } from './types.js';

export const createRolloutRoute = createRoute({
  method: 'post',
  path: '/v1/rollouts',
  tags: ['Devices'],
  operationId: 'createRollout',
  summary: 'Roll an APK (a WhatsApp build) out over the devices in waves',
  description:
    "Installs the APK on a small first wave of the account's devices (`firstWaveShare`, default 5 %), then on " +
    'waves `growth` times larger while each wave’s failed share stays at or under `maxFailureRate` (default 20 %); ' +
    'a wave above it halts the rollout, and `reason` says which wave and how many failed. Each agent fetches the APK ' +
    'itself and installs it only if its SHA-256 matches. A draining device is updated only while it has no job. ' +
    'With `?accountId=`, the devices of that account below yours. 409 when the account has no devices. Needs `manage`.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    query: SubtreeAccountQuery,
    body: { required: true, content: { 'application/json': { schema: CreateRolloutSchema } } },
  },
  responses: {
    201: {
      description: 'The rollout, started.',
      content: { 'application/json': { schema: RolloutResultSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409, 413, 415, 500, 503),
  },
});

export function registerCreateRollout(app: ApiApp, deps: RouteDeps): void {
  app.openapi(createRolloutRoute, async (c) => {
    const principal = c.get('principal');
    const body = c.req.valid('json');
    const { rollout } = await deps.peers.fleet.createRollout({
      accountId: await accountInSubtree(deps.peers, principal, c.req.valid('query').accountId),
      apkUrl: body.apkUrl,
      apkSha256: body.apkSha256,
      firstWaveShare: body.firstWaveShare ?? 0,
      growth: body.growth ?? 0,
      maxFailureRate: body.maxFailureRate ?? 0,
      requestedBy: principal.accountId,
    });
    return c.json({ rollout: rolloutView(rollout) }, 201);
  });
}
