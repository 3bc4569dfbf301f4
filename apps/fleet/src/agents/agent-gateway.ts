import type { fleet } from '@wagate/contracts';
import { prefixedId } from '@wagate/ids';
import { ServerError, Status } from '@wagate/rpc';
import { createLogger } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import type { FleetTables } from '../db/tables.js';
import { AsyncQueue } from './async-queue.js';
import { KeyedLanes } from './keyed-lanes.js';
import type { ConnectedDevice, DeviceSessions } from './device-sessions.js';

const log = createLogger('fleet:agents');

/**
 * Reports of one stream written to the database at once. One stream carries a whole host's
 * devices: handled one at a time, the stream's database round trips, not the devices' pace,
 * would bound what the host delivers.
 */
const REPORTS_IN_FLIGHT = 16;

export interface AgentGatewayDeps {
  db: Kysely<FleetTables>;
  sessions: DeviceSessions;
  enrolmentToken: string;
  /** Devices that arrive unbound join this sender pool (the demo's), when set. */
  defaultSenderId: () => string | undefined;
  onCapacity(): void;
  onResult(result: fleet.JobResult): Promise<void>;
  onReceipt(receipt: fleet.Receipt): Promise<void>;
  onInbound(inbound: fleet.InboundMessage): Promise<void>;
  /** Jobs already offered to these devices and not finished: offered again after a reconnect. */
  unfinishedOffers(deviceIds: string[]): Promise<fleet.JobOffer[]>;
}

/**
 * One bidirectional stream per agent host: hello → welcome, then credits, heartbeats,
 * results and receipts flow up while job offers flow down.
 */
export function createAgentGateway(deps: AgentGatewayDeps): fleet.AgentGatewayServiceImplementation {
  return {
    async *connect(requests, context) {
      const incoming = requests[Symbol.asyncIterator]();
      const first = await incoming.next();
      const hello = !first.done && first.value.kind?.$case === 'hello' ? first.value.kind.value : undefined;
      if (!hello)
        throw new ServerError(Status.INVALID_ARGUMENT, 'the first message on the stream must be hello');
      if (hello.enrolmentToken !== deps.enrolmentToken) {
        throw new ServerError(Status.UNAUTHENTICATED, 'unknown enrolment token');
      }
      const registered = await registerDevices(deps.db, hello, deps.defaultSenderId());
      const outgoing = new AsyncQueue<fleet.FleetMessage>();
      const devices: ConnectedDevice[] = registered.map((row) => ({
        deviceId: row.id,
        senderId: row.sender_id,
        credits: 0,
        offer: (offer) => outgoing.push({ kind: { $case: 'offer', value: offer } }),
      }));
      outgoing.push({
        kind: {
          $case: 'welcome',
          value: { devices: registered.map((row) => ({ deviceKey: row.device_key, deviceId: row.id })) },
        },
      });
      for (const device of devices) deps.sessions.attach(device);
      log.info({ agentId: hello.agentId, devices: devices.length }, 'agent connected');
      for (const offer of await deps.unfinishedOffers(devices.map((d) => d.deviceId))) {
        const device = devices.find((d) => d.deviceId === offer.deviceId);
        if (device) {
          device.credits--;
          device.offer(offer);
        }
      }

      const byId = new Map(devices.map((device) => [device.deviceId, device]));
      const reading = (async () => {
        const lanes = new KeyedLanes(REPORTS_IN_FLIGHT);
        try {
          try {
            for (let next = await incoming.next(); !next.done; next = await incoming.next()) {
              const message = next.value;
              // A credit is memory only, and must not wait behind the database.
              if (message.kind?.$case === 'credit') await handle(message, byId);
              else await lanes.admit(orderKey(message), () => handle(message, byId));
            }
          } finally {
            await lanes.idle();
          }
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
        for (const device of devices) deps.sessions.detach(device);
        outgoing.end();
        await reading.catch(() => {});
        log.info({ agentId: hello.agentId }, 'agent disconnected');
      }
    },
  };

  async function handle(message: fleet.AgentMessage, devices: Map<string, ConnectedDevice>): Promise<void> {
    const kind = message.kind;
    switch (kind?.$case) {
      case 'credit': {
        const device = devices.get(kind.value.deviceId);
        if (device) {
          device.credits += kind.value.credits;
          deps.onCapacity();
        }
        return;
      }
      case 'result':
        await deps.onResult(kind.value);
        return;
      case 'receipt':
        await deps.onReceipt(kind.value);
        return;
      case 'heartbeat':
        await deps.db
          .updateTable('devices')
          .set({ last_seen_at: new Date() })
          .where('id', '=', kind.value.deviceId)
          .execute();
        return;
      case 'inbound':
        await deps.onInbound(kind.value);
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
    default:
      return kind?.$case ?? 'unknown';
  }
}

async function registerDevices(
  db: Kysely<FleetTables>,
  hello: fleet.AgentHello,
  defaultSenderId: string | undefined,
) {
  if (hello.devices.length === 0) return [];
  const now = new Date();
  return db
    .insertInto('devices')
    .values(
      hello.devices.map((device) => ({
        id: prefixedId('device'),
        device_key: device.deviceKey,
        agent_id: hello.agentId,
        phone_number: device.phoneNumber,
        sender_id: defaultSenderId ?? null,
        driver: device.driver,
        android_version: device.androidVersion,
        whatsapp_version: device.whatsappVersion,
        last_seen_at: now,
      })),
    )
    .onConflict((conflict) =>
      conflict.column('device_key').doUpdateSet((eb) => ({
        agent_id: eb.ref('excluded.agent_id'),
        phone_number: eb.ref('excluded.phone_number'),
        android_version: eb.ref('excluded.android_version'),
        whatsapp_version: eb.ref('excluded.whatsapp_version'),
        last_seen_at: eb.ref('excluded.last_seen_at'),
        sender_id: eb.fn.coalesce('devices.sender_id', 'excluded.sender_id'),
      })),
    )
    .returning(['id', 'device_key', 'sender_id'])
    .execute();
}
