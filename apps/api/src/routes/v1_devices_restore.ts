import { createRoute } from '@hono/zod-openapi';
import { fleet } from '@wagate/contracts';
import { deviceScope } from '../http/account-scope.js';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { DeviceIdParam } from '../schemas/devices.js';
import { DeviceCommandResultSchema, RestoreDeviceSchema } from '../schemas/vm.js';
import { commandView } from '../views/vm.js';
import type { ApiApp, RouteDeps } from './types.js';

export const restoreDeviceRoute = createRoute({
  method: 'post',
  path: '/v1/devices/{deviceId}/restore',
  tags: ['Devices'],
  operationId: 'restoreDevice',
  summary: "Restore a device's VM to a snapshot",
  description:
    "Asks the agent hosting the device to bring its VM back to a snapshot saved on that host (an emulator's " +
    "snapshot, redroid's committed image, or the site's own command). Answers at once with the command; its " +
    "outcome follows in `GET /v1/devices/{deviceId}/commands/{commandId}` and in the device's history. Needs `manage`.",
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    params: DeviceIdParam,
    body: { required: true, content: { 'application/json': { schema: RestoreDeviceSchema } } },
  },
  responses: {
    202: {
      description: 'The command, on its way.',
      content: { 'application/json': { schema: DeviceCommandResultSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 413, 415, 500, 503),
  },
});

export function registerRestoreDevice(app: ApiApp, deps: RouteDeps): void {
  app.openapi(restoreDeviceRoute, async (c) => {
    const principal = c.get('principal');
    const body = c.req.valid('json');
    const { command } = await deps.peers.fleet.commandDevice({
      ...(await deviceScope(deps.peers, principal, c.req.valid('param').deviceId)),
      action: fleet.VmAction.VM_ACTION_RESTORE_SNAPSHOT,
      snapshot: body.snapshot,
      apkUrl: '',
      apkSha256: '',
      timeoutMs: String(body.timeoutMs ?? 0),
      requestedBy: principal.accountId,
      waitMs: '0',
    });
    return c.json({ command: commandView(command) }, 202);
  });
}
