import { createRoute } from '@hono/zod-openapi';
import type { AdminState, DeviceState, fleet } from '@wagate/contracts';
import { accountSubtree, requireResellerOrPlatform } from '../http/account-scope.js';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { FleetHealthQuery, FleetHealthSchema } from '../schemas/fleet-health.js';
import type { ApiApp, RouteDeps } from './types.js';

export const fleetHealthRoute = createRoute({
  method: 'get',
  path: '/v1/fleet/health',
  tags: ['Devices'],
  operationId: 'getFleetHealth',
  summary: 'Fleet health at a glance',
  description:
    'For the platform and resellers: the devices of the account and every account below it (or, with ' +
    "`?accountId=`, of that account's subtree) by state and admin state, the worst devices and why, and each " +
    "sender pool's queue — the picture the SRE dashboards show, for a reseller without Grafana. A customer " +
    "account's key is 403; an account outside the caller's tree is 404. Needs `read`.",
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: FleetHealthQuery },
  responses: {
    200: {
      description: 'The fleet health of the account tree.',
      content: { 'application/json': { schema: FleetHealthSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 500, 503),
  },
});

const isoOrNull = (ms: string) => (ms === '0' || ms === '' ? null : new Date(Number(ms)).toISOString());

export function registerFleetHealth(app: ApiApp, deps: RouteDeps): void {
  app.openapi(fleetHealthRoute, async (c) => {
    const query = c.req.valid('query');
    const principal = c.get('principal');
    await requireResellerOrPlatform(deps.peers, principal, 'fleet health is for the platform and resellers');
    const health = await deps.peers.fleet.getFleetHealth({
      accountIds: await accountSubtree(deps.peers, principal, query.accountId),
      worstLimit: query.worst ?? 0,
    });
    return c.json(fleetHealthView(health), 200);
  });
}

function fleetHealthView(health: fleet.GetFleetHealthResponse) {
  return {
    devices: health.devices.map(({ state, adminState, count }) => ({
      state: state as DeviceState,
      adminState: adminState as AdminState,
      count,
    })),
    worst: health.worst.map((device) => ({
      deviceId: device.deviceId,
      accountId: device.accountId,
      phoneNumber: device.phoneNumber,
      sender: device.sender,
      state: device.state as DeviceState,
      adminState: device.adminState as AdminState,
      why: device.why,
      recentFailures: device.recentFailures,
      recentResults: device.recentResults,
      lastHeartbeatAt: isoOrNull(device.lastHeartbeatAtMs),
    })),
    queues: health.queues.map((queue) => ({
      senderId: queue.senderId,
      sender: queue.sender,
      accountId: queue.accountId,
      queued: queue.queued,
      inFlight: queue.inFlight,
      oldestQueuedAt: isoOrNull(queue.oldestQueuedAtMs),
      usableDevices: queue.usableDevices,
      devices: queue.devices,
    })),
  };
}
