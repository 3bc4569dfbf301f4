import type { fleet } from '@wagate/contracts';
import type { AccessTable } from '@wagate/rpc';

/**
 * Who may call fleet's internal API (docs/security.md). Dispatch resolves a message's sender
 * to its pool, and the api a `from` written as one of a sender's numbers; everything else is
 * the api's /v1 routes (devices, enrolment, waiting reasons, VM commands, rollouts, health).
 * Device agents never reach this service: they have their own listener (the agent plane).
 */
export const FLEET_ACCESS: AccessTable<typeof fleet.FleetServiceDefinition> = {
  resolveSenders: ['dispatch', 'api'],
  listSenders: ['api'],
  explainWaiting: ['api'],
  createEnrolmentToken: ['api'],
  listDevices: ['api'],
  locateDevice: ['api'],
  getDevice: ['api'],
  bindDevice: ['api'],
  changeDeviceAdminState: ['api'],
  // VM commands, agents' hosts and staged rollouts: operators act through the api's /v1 routes.
  commandDevice: ['api'],
  getDeviceCommand: ['api'],
  listAgents: ['api'],
  createRollout: ['api'],
  getRollout: ['api'],
  // GET /v1/fleet/health.
  getFleetHealth: ['api'],
};
