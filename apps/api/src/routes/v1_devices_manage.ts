import { createRoute } from '@hono/zod-openapi';
import { deviceScope } from '../http/account-scope.js';
import { requireScope } from '../http/auth.js';
import { jsonObjectBody } from '../http/read-json.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import {
  BindDeviceSchema,
  DeviceIdParam,
  DeviceReasonSchema,
  DeviceResultSchema,
} from '../schemas/devices.js';
import { deviceView } from '../views/devices.js';
import type { ApiApp, RouteDeps } from './types.js';

const deviceResponses = {
  200: {
    description: 'The device after the change.',
    content: { 'application/json': { schema: DeviceResultSchema } },
  },
  ...errorResponses(400, 401, 403, 404, 413, 415, 500, 503),
};

export const bindDeviceRoute = createRoute({
  method: 'post',
  path: '/v1/devices/{deviceId}/bind',
  tags: ['Devices'],
  operationId: 'bindDevice',
  summary: 'Bind a device to a sender',
  description:
    'The device serves this sender pool of its own account from its next job on; its conversations of the old ' +
    "pool move to that pool's other devices, jobs already offered to it stay. Needs `manage`.",
  security: apiKeySecurity,
  middleware: [requireScope('manage'), jsonObjectBody()] as const,
  request: {
    params: DeviceIdParam,
    body: { required: true, content: { 'application/json': { schema: BindDeviceSchema } } },
  },
  responses: deviceResponses,
});

/** Quarantine, drain and release differ only in the admin state they set. */
function adminStateRoute(action: 'quarantine' | 'drain' | 'release', summary: string, description: string) {
  return createRoute({
    method: 'post',
    path: `/v1/devices/{deviceId}/${action}`,
    tags: ['Devices'],
    operationId: `${action}Device`,
    summary,
    description: `${description} Recorded in its history with the reason. Needs \`manage\`.`,
    security: apiKeySecurity,
    middleware: [requireScope('manage'), jsonObjectBody()] as const,
    request: {
      params: DeviceIdParam,
      body: { required: true, content: { 'application/json': { schema: DeviceReasonSchema } } },
    },
    responses: deviceResponses,
  });
}

export const adminStateRoutes = [
  {
    adminState: 'quarantined',
    route: adminStateRoute(
      'quarantine',
      'Quarantine a device',
      'It gets no new jobs and its queued conversations move to other devices of its pool; jobs already offered ' +
        'to it stay (it may have sent them).',
    ),
  },
  {
    adminState: 'draining',
    route: adminStateRoute(
      'drain',
      'Drain a device',
      'A cordon: it finishes the jobs it has and gets no new ones; its queued conversations move to other devices.',
    ),
  },
  {
    adminState: 'active',
    route: adminStateRoute(
      'release',
      'Release a device',
      'Back in service after a quarantine or drain: it takes new jobs again when it is online.',
    ),
  },
] as const;

export function registerDeviceManagement(app: ApiApp, deps: RouteDeps): void {
  app.openapi(bindDeviceRoute, async (c) => {
    const { device } = await deps.peers.fleet.bindDevice({
      ...(await deviceScope(deps.peers, c.get('principal'), c.req.valid('param').deviceId)),
      sender: c.req.valid('json').sender,
    });
    return c.json({ device: deviceView(device) }, 200);
  });
  for (const { adminState, route } of adminStateRoutes) {
    app.openapi(route, async (c) => {
      const { device } = await deps.peers.fleet.changeDeviceAdminState({
        ...(await deviceScope(deps.peers, c.get('principal'), c.req.valid('param').deviceId)),
        adminState,
        reason: c.req.valid('json').reason ?? '',
      });
      return c.json({ device: deviceView(device) }, 200);
    });
  }
}
