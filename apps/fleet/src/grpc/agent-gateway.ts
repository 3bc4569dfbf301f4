import { prefixedId } from '@wagate/ids';
import { createKeySerializer } from '@wagate/bus';
import { fleet } from '@wagate/contracts';
import { DomainError, ErrorKey } from '@wagate/errors';
import { mountForAgents, type ServiceMount } from '@wagate/rpc';
import { createLogger } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import type { FleetTables } from '../db/tables.js';
import { authenticateAgent } from '../enrolment.js';
import type { DeviceHealth } from '../health/device-health.js';
import { ensureSender } from '../senders.js';
import type { VmCommandHub } from '../vm/vm-commands.js';
import type { DeliveryReceipt, InboundReport, JobOutcome } from '../agents/agent-reports.js';
import { AsyncQueue } from '../agents/async-queue.js';
import type { ConnectedDevice, DeviceSessions, JobOffer } from '../agents/device-sessions.js';
import { recordHostReport } from '../agents/host-reports.js';
import { registerDevices } from '../agents/register-devices.js';
import { fleetMetrics } from '../metrics.js';
import {
  heartbeatFromProto,
  inboundFromProto,
  jobResultFromProto,
  receiptFromProto,
  vmResultFromProto,
} from './from-proto.js';
import { jobOfferToProto, vmCommandToProto } from './to-proto.js';

const log = createLogger('fleet:agents');

/**
 * Reports of one stream in progress at once. One stream carries a whole host's devices:
 * handled one at a time, the stream's database round trips, not the devices' pace, would bound
 * what the host delivers. They wait in shared batches (report-batches.ts), not each on a pool
 * connection, so a host of hundreds of devices may have hundreds waiting; the bound only keeps
 * a flooding agent from holding unbounded memory.
 */
const REPORTS_IN_FLIGHT = 256;

export interface AgentGatewayDeps {
  db: Kysely<FleetTables>;
  sessions: DeviceSessions;
  health: Pick<DeviceHealth, 'heartbeat' | 'connected'>;
  /** Devices that arrive unbound join this sender pool (the demo's) when it is of their account. */
  defaultSender: () => { id: string; accountId: string } | undefined;
  onCapacity(): void;
  onResult(result: JobOutcome): Promise<void>;
  onReceipt(receipt: DeliveryReceipt): Promise<void>;
  onInbound(inbound: InboundReport): Promise<void>;
  /** Jobs already offered to these devices and not finished: offered again after a reconnect. */
  unfinishedOffers(deviceIds: string[]): Promise<JobOffer[]>;
  /** VM commands for the stream's devices go down the stream; their results come back. */
  vmCommands: Pick<VmCommandHub, 'attach' | 'result'>;
}

/** The agent plane's one service, the agent stream, for its own listener. */
export function mountAgentGatewayGrpc(deps: AgentGatewayDeps): ServiceMount {
  return mountForAgents(fleet.AgentGatewayServiceDefinition, createAgentGateway(deps));
}

/**
 * One bidirectional stream per agent host: hello (enrolment token or credential) → welcome
 * (with the agent's next credential), then credits, heartbeats, results and receipts flow up
 * while job offers flow down.
 */
function createAgentGateway(deps: AgentGatewayDeps): fleet.AgentGatewayServiceImplementation {
  return {
    async *connect(requests, context) {
      const incoming = requests[Symbol.asyncIterator]();
      const first = await incoming.next();
      const hello = !first.done && first.value.kind?.$case === 'hello' ? first.value.kind.value : undefined;
      if (!hello) throw new DomainError(ErrorKey.Invalid, 'the first message on the stream must be hello');
      const agent = await authenticateAgent(deps.db, hello);
      const senderId = agent.sender
        ? (await ensureSender(deps.db, agent.accountId, agent.sender)).id
        : deps.defaultSender()?.accountId === agent.accountId
          ? deps.defaultSender()?.id
          : undefined;
      // This stream takes the devices over, from any stream that held them before (on this
      // replica or a dead one): from this write on, only this stream's process claims their jobs.
      const streamId = prefixedId('agentStream');
      const registered = await registerDevices(deps.db, hello, agent.accountId, senderId, streamId);
      const outgoing = new AsyncQueue<fleet.FleetMessage>();
      const devices: ConnectedDevice[] = registered.map((row) => ({
        deviceId: row.id,
        senderId: row.sender_id,
        streamId,
        credits: 0,
        // Until the health state machine has looked at it (below, before any offer).
        accepting: false,
        offer: (offer) => outgoing.push({ kind: { $case: 'offer', value: jobOfferToProto(offer) } }),
      }));
      outgoing.push({
        kind: {
          $case: 'welcome',
          value: {
            devices: registered.map((row) => ({ deviceKey: row.device_key, deviceId: row.id })),
            credential: agent.credential,
            acksReports: true,
          },
        },
      });
      for (const device of devices) deps.sessions.attach(device);
      await deps.health.connected(devices.map((device) => device.deviceId));
      log.info({ agentId: hello.agentId, devices: devices.length, streamId }, 'agent connected');
      fleetMetrics().agentStreams.add(1);
      for (const offer of await deps.unfinishedOffers(devices.map((d) => d.deviceId))) {
        const device = devices.find((d) => d.deviceId === offer.deviceId);
        if (device) {
          device.credits--;
          device.offer(offer);
        }
      }

      const detachCommands = deps.vmCommands.attach(
        hello.agentId,
        devices.map((device) => device.deviceId),
        (command) => outgoing.push({ kind: { $case: 'vmCommand', value: vmCommandToProto(command) } }),
      );

      const byId = new Map(devices.map((device) => [device.deviceId, device]));
      const reading = (async () => {
        // Reports with the same order key are written one after another, others side by side; the
        // first report that cannot be written ends the stream (once what was taken has finished).
        const lanes = createKeySerializer(REPORTS_IN_FLIGHT);
        let failure: { error: unknown } | undefined;
        try {
          try {
            for (let next = await incoming.next(); !next.done; next = await incoming.next()) {
              const message = next.value;
              // A credit is memory only, and must not wait behind the database.
              if (message.kind?.$case === 'credit') {
                await handle(message, hello.agentId, byId);
                continue;
              }
              await lanes.whenNotFull();
              if (failure) throw failure.error;
              void lanes.submit(
                orderKey(message),
                async () => {
                  try {
                    await handle(message, hello.agentId, byId);
                  } catch (error: unknown) {
                    failure ??= { error };
                    return;
                  }
                  // Stored (or dropped for good): the agent may forget it. A report this process
                  // dies holding is not acked, and the agent sends it again to the next replica.
                  const reportSeq = message.reportSeq;
                  if (reportSeq && reportSeq !== '0')
                    outgoing.push({ kind: { $case: 'ack', value: { reportSeq } } });
                },
                () => {},
              );
            }
          } finally {
            await lanes.idle();
          }
          if (failure) throw failure.error;
        } catch (error) {
          if (!context.signal.aborted)
            log.warn({ err: error, agentId: hello.agentId }, 'agent stream failed');
        } finally {
          outgoing.end();
        }
      })();
      context.signal.addEventListener('abort', () => outgoing.end(), { once: true });

      try {
        yield* outgoing;
      } finally {
        fleetMetrics().agentStreams.add(-1);
        for (const device of devices) deps.sessions.detach(device);
        detachCommands();
        outgoing.end();
        await reading.catch(() => {});
        log.info({ agentId: hello.agentId }, 'agent disconnected');
      }
    },
  };

  async function handle(
    message: fleet.AgentMessage,
    agentId: string,
    devices: Map<string, ConnectedDevice>,
  ): Promise<void> {
    const kind = message.kind;
    const ownDevice = (deviceId: string, what: string) => {
      if (devices.has(deviceId)) return true;
      log.warn({ deviceId, what }, 'report for a device this agent stream does not drive dropped');
      return false;
    };
    switch (kind?.$case) {
      case 'credit': {
        const device = devices.get(kind.value.deviceId);
        if (device) {
          device.credits += kind.value.credits;
          deps.onCapacity();
        }
        return;
      }
      // Reports count only for the stream's own devices: an agent cannot speak for another's.
      case 'result':
        if (ownDevice(kind.value.deviceId, 'result')) await deps.onResult(jobResultFromProto(kind.value));
        return;
      case 'receipt': {
        // A receipt of a kind this fleet does not know says nothing: dropped.
        const receipt = receiptFromProto(kind.value);
        if (ownDevice(kind.value.deviceId, 'receipt') && receipt) await deps.onReceipt(receipt);
        return;
      }
      case 'heartbeat':
        // Only for the stream's own devices: an agent cannot report for another's.
        if (devices.has(kind.value.deviceId)) await deps.health.heartbeat(heartbeatFromProto(kind.value));
        return;
      case 'inbound':
        if (ownDevice(kind.value.deviceId, 'inbound')) await deps.onInbound(inboundFromProto(kind.value));
        return;
      case 'vmResult':
        if (ownDevice(kind.value.deviceId, 'vm result'))
          await deps.vmCommands.result(agentId, vmResultFromProto(kind.value));
        return;
      case 'host':
        // Kept as the agent sent it, in its JSON form.
        await recordHostReport(
          deps.db,
          agentId,
          fleet.HostReport.toJSON(kind.value) as Record<string, unknown>,
        );
        return;
      default:
        log.warn({ kind: kind?.$case }, 'unexpected message on agent stream');
    }
  }
}

/**
 * What must stay in order: a message's result and its receipts (so SENT is written before
 * DELIVERED), and a device's heartbeats and inbound messages. Everything else may overlap.
 */
function orderKey(message: fleet.AgentMessage): string {
  const kind = message.kind;
  switch (kind?.$case) {
    case 'result':
    case 'receipt':
      return `message:${kind.value.messageId}`;
    case 'heartbeat':
      return `heartbeat:${kind.value.deviceId}`;
    case 'inbound':
      return `inbound:${kind.value.deviceId}`;
    case 'vmResult':
      return `vm:${kind.value.commandId}`;
    default:
      return kind?.$case ?? 'unknown';
  }
}
