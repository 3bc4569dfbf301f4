import { createRoute } from '@hono/zod-openapi';
import { fleet } from '@wagate/contracts';
import { deviceScope } from '../http/account-scope.js';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { DeviceIdParam } from '../schemas/devices.js';
import { DeviceCommandResultSchema } from '../schemas/vm.js';
import { commandView } from '../views/vm.js';
import type { ApiApp, RouteDeps } from './types.js';

/** How long the request waits for the agent's PNG before answering 202 with the command. */
const SCREENSHOT_WAIT_MS = 15_000;

export const screenshotDeviceRoute = createRoute({
  method: 'post',
  path: '/v1/devices/{deviceId}/screenshot',
  tags: ['Devices'],
  operationId: 'screenshotDevice',
  summary: "Take a screenshot of a device's screen",
  description:
    'Asks the agent hosting the device for a screenshot (`adb exec-out screencap -p`) and waits up to 15 s for it: ' +
    '200 with the command and its `screenshotUrl` (the PNG, `GET` with your API key), or 202 with the command ' +
    'still on its way (look again at `GET /v1/devices/{deviceId}/commands/{commandId}`). Needs `manage`.',
  security: apiKeySecurity,
  middleware: [requireScope('manage')] as const,
  request: { params: DeviceIdParam },
  responses: {
    200: {
      description: 'The screenshot was taken.',
      content: { 'application/json': { schema: DeviceCommandResultSchema } },
    },
    202: {
      description: 'Not yet taken.',
      content: { 'application/json': { schema: DeviceCommandResultSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerScreenshotDevice(app: ApiApp, deps: RouteDeps): void {
  app.openapi(screenshotDeviceRoute, async (c) => {
    const principal = c.get('principal');
    const { command } = await deps.peers.fleet.commandDevice({
      ...(await deviceScope(deps.peers, principal, c.req.valid('param').deviceId)),
      action: fleet.VmAction.VM_ACTION_SCREENSHOT,
      snapshot: '',
      apkUrl: '',
      apkSha256: '',
      timeoutMs: '0',
      requestedBy: principal.accountId,
      waitMs: String(SCREENSHOT_WAIT_MS),
    });
    const view = commandView(command);
    return view.state === 'succeeded' ? c.json({ command: view }, 200) : c.json({ command: view }, 202);
  });
}
