import { fleet } from '@wagate/contracts';
import { DomainError, ErrorKey } from '@wagate/errors';
import { mount, type ServiceMount } from '@wagate/rpc';
import type { Kysely } from 'kysely';
import type { DeviceSessions } from '../agents/device-sessions.js';
import { listAgents } from '../agents/list-agents.js';
import type { FleetTables } from '../db/tables.js';
import type { deviceQueries } from '../devices.js';
import { createEnrolmentToken } from '../enrolment.js';
import { fleetHealth } from '../fleet-health.js';
import type { JobScheduler } from '../job-scheduler.js';
import { listSenders } from '../list-senders.js';
import { resolveSenders } from '../resolve-senders.js';
import type { startRollouts } from '../vm/rollouts.js';
import type { VmCommandHub } from '../vm/vm-commands.js';
import { waitingReason } from '../waiting-reason.js';
import { FLEET_ACCESS } from './access.js';
import { enrolmentTokenFromProto, vmActionFromProto } from './from-proto.js';
import {
  agentToProto,
  commandAnswerToProto,
  deviceDetailToProto,
  deviceToProto,
  enrolmentTokenToProto,
  fleetHealthToProto,
  resolvedSendersToProto,
  rolloutToProto,
  senderToProto,
} from './to-proto.js';

interface HandlerDeps {
  db: Kysely<FleetTables>;
  sessions: DeviceSessions;
  scheduler: Pick<JobScheduler, 'pacer'>;
  devices: ReturnType<typeof deviceQueries>;
  vmCommands: Pick<VmCommandHub, 'create' | 'get' | 'waitFor'>;
  rollouts: Pick<ReturnType<typeof startRollouts>, 'create' | 'get'>;
}

/** Fleet's internal-plane gRPC service (for the api and dispatch), mounted with its access table. */
export function mountFleetGrpc(deps: HandlerDeps): ServiceMount {
  return mount(fleet.FleetServiceDefinition, fleetHandlers(deps), FLEET_ACCESS);
}

/** The gRPC handlers: each reads its request into domain types, calls the domain and answers in proto. */
function fleetHandlers(deps: HandlerDeps): fleet.FleetServiceImplementation {
  const { db, sessions, scheduler, devices, vmCommands, rollouts } = deps;
  return {
    resolveSenders: async (request) => resolvedSendersToProto(await resolveSenders(db, request)),
    async listSenders(request) {
      const page = await listSenders(db, sessions, request);
      return { senders: page.senders.map(senderToProto), nextCursor: page.nextCursor };
    },
    getFleetHealth: async (request) => fleetHealthToProto(await fleetHealth(db, request)),
    async explainWaiting({ accountId, messageId }) {
      const waiting = /^\d{1,20}$/.test(messageId)
        ? await waitingReason(db, sessions, scheduler.pacer, accountId, messageId)
        : undefined;
      if (!waiting) return { waiting: false, rule: '', reason: '', untilMs: '0' };
      return { waiting: true, ...waiting, untilMs: String(waiting.untilMs ?? 0) };
    },
    createEnrolmentToken: async (request) =>
      enrolmentTokenToProto(await createEnrolmentToken(db, enrolmentTokenFromProto(request))),
    async listDevices(request) {
      const page = await devices.list(request);
      return { devices: page.devices.map(deviceToProto), nextCursor: page.nextCursor };
    },
    locateDevice: async (request) => ({ accountId: (await devices.locate(request.deviceId)) ?? '' }),
    getDevice: async (request) => deviceDetailToProto(await devices.get(request)),
    bindDevice: async (request) => ({ device: deviceToProto(await devices.bind(request)) }),
    changeDeviceAdminState: async (request) => ({
      device: deviceToProto(await devices.changeAdminState(request)),
    }),
    async commandDevice(request) {
      await devices.located(request.accountIds, request.deviceId);
      const created = await vmCommands.create({
        deviceId: request.deviceId,
        action: vmActionFromProto(request.action),
        snapshot: request.snapshot,
        apkUrl: request.apkUrl,
        apkSha256: request.apkSha256,
        timeoutMs: Number(request.timeoutMs),
        requestedBy: request.requestedBy || 'api',
      });
      const row =
        Number(request.waitMs) > 0 ? await vmCommands.waitFor(created.id, Number(request.waitMs)) : created;
      return commandAnswerToProto(row ?? created);
    },
    async getDeviceCommand(request) {
      await devices.located(request.accountIds, request.deviceId);
      const row = await vmCommands.get(request.commandId);
      if (!row || row.device_id !== request.deviceId) {
        throw new DomainError(ErrorKey.NotFound, `no command "${request.commandId}" for this device`);
      }
      return commandAnswerToProto(row);
    },
    listAgents: async (request) => ({
      agents: (await listAgents(db, sessions, request.accountIds)).map(agentToProto),
    }),
    createRollout: async (request) => ({ rollout: rolloutToProto(await rollouts.create(request)) }),
    getRollout: async (request) => ({ rollout: rolloutToProto(await rollouts.get(request)) }),
  };
}
