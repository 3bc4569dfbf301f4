import { createRoute } from '@hono/zod-openapi';
import { fleet } from '@wagate/contracts';
import { deviceScope } from '../http/account-scope.js';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { DeviceIdParam } from '../schemas/devices.js';
import { DeviceCommandResultSchema, RestartDeviceSchema } from '../schemas/vm.js';
import { commandView } from '../views/vm.js';
import type { ApiApp, RouteDeps } from './types.js';

export const restartDeviceRoute = createRoute({
  method: 'post',
  path: '/v1/devices/{deviceId}/restart',
  tags: ['Devices'],
  operationId: 'restartDevice',
  summary: "Restart a device's VM or reboot its Android",
  description:
    'Asks the agent hosting the device to restart its VM (or, with `target: android`, reboot Android in it). ' +
    'Answers at once with the command; its outcome follows in `GET /v1/devices/{deviceId}/commands/{commandId}` ' +
    "and in the device's history. A VM the agent does not manage (its `static` provider) fails with the reason. " +
    'Needs `manage`.',
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    params: DeviceIdParam,
    body: { required: true, content: { 'application/json': { schema: RestartDeviceSchema } } },
  },
  responses: {
    202: {
      description: 'The command, on its way.',
      content: { 'application/json': { schema: DeviceCommandResultSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 413, 415, 500, 503),
  },
});

export function registerRestartDevice(app: ApiApp, deps: RouteDeps): void {
  app.openapi(restartDeviceRoute, async (c) => {
    const principal = c.get('principal');
    const body = c.req.valid('json');
    const { command } = await deps.peers.fleet.commandDevice({
      ...(await deviceScope(deps.peers, principal, c.req.valid('param').deviceId)),
      action:
        body.target === 'android'
          ? fleet.VmAction.VM_ACTION_REBOOT_ANDROID
          : fleet.VmAction.VM_ACTION_RESTART_VM,
      snapshot: '',
      apkUrl: '',
      apkSha256: '',
      timeoutMs: String(body.timeoutMs ?? 0),
      requestedBy: principal.accountId,
      waitMs: '0',
    });
    return c.json({ command: commandView(command) }, 202);
  });
}
