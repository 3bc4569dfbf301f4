import { createRoute } from '@hono/zod-openapi';
import { accountSubtree, deviceScope } from '../http/account-scope.js';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import {
  DeviceIdParam,
  DeviceListSchema,
  DeviceWithHistorySchema,
  GetDeviceQuery,
  ListDevicesQuery,
} from '../schemas/devices.js';
import { deviceView, historyView } from '../views/devices.js';
import type { ApiApp, RouteDeps } from './types.js';

export const listDevicesRoute = createRoute({
  method: 'get',
  path: '/v1/devices',
  tags: ['Devices'],
  operationId: 'listDevices',
  summary: 'List devices',
  description:
    "The devices of the account and every account below it (or, with `?accountId=`, of that account's subtree), " +
    'oldest first, with their health, admin state and last heartbeat. Needs `read`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: ListDevicesQuery },
  responses: {
    200: {
      description: 'One page of devices.',
      content: { 'application/json': { schema: DeviceListSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export const getDeviceRoute = createRoute({
  method: 'get',
  path: '/v1/devices/{deviceId}',
  tags: ['Devices'],
  operationId: 'getDevice',
  summary: 'Get a device and its history',
  description:
    'One device of your account tree with its last state changes, admin changes, bindings and recovery runs, ' +
    'newest first. A device of another tree is 404, like a missing one. Needs `read`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { params: DeviceIdParam, query: GetDeviceQuery },
  responses: {
    200: {
      description: 'The device.',
      content: { 'application/json': { schema: DeviceWithHistorySchema } },
    },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

export function registerDevices(app: ApiApp, deps: RouteDeps): void {
  app.openapi(listDevicesRoute, async (c) => {
    const query = c.req.valid('query');
    const page = await deps.peers.fleet.listDevices({
      accountIds: await accountSubtree(deps.peers, c.get('principal'), query.accountId),
      limit: query.limit ?? 0,
      cursor: query.cursor ?? '',
    });
    return c.json({ data: page.devices.map(deviceView), nextCursor: page.nextCursor || null }, 200);
  });
  app.openapi(getDeviceRoute, async (c) => {
    const { device, history } = await deps.peers.fleet.getDevice({
      ...(await deviceScope(deps.peers, c.get('principal'), c.req.valid('param').deviceId)),
      historyLimit: c.req.valid('query').historyLimit ?? 0,
    });
    return c.json({ device: deviceView(device), history: history.map(historyView) }, 200);
  });
}
