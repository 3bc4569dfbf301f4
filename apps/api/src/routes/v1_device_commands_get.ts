import { createRoute } from '@hono/zod-openapi';
import { deviceScope } from '../http/account-scope.js';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { CommandIdParam, DeviceCommandResultSchema } from '../schemas/vm.js';
import { commandView } from '../views/vm.js';
import type { ApiApp, RouteDeps } from './types.js';

export const getDeviceCommandRoute = createRoute({
  method: 'get',
  path: '/v1/devices/{deviceId}/commands/{commandId}',
  tags: ['Devices'],
  operationId: 'getDeviceCommand',
  summary: "A VM command's state and outcome",
  description: 'A restart, restore, install or screenshot command of a device of your tree. Needs `read`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { params: CommandIdParam },
  responses: {
    200: {
      description: 'The command.',
      content: { 'application/json': { schema: DeviceCommandResultSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerGetDeviceCommand(app: ApiApp, deps: RouteDeps): void {
  app.openapi(getDeviceCommandRoute, async (c) => {
    const { deviceId, commandId } = c.req.valid('param');
    const { command } = await deps.peers.fleet.getDeviceCommand({
      ...(await deviceScope(deps.peers, c.get('principal'), deviceId)),
      commandId,
    });
    return c.json({ command: commandView(command) }, 200);
  });
}
