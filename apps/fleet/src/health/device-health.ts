import { type Pump, startPump } from '@wagate/outbox';
import { createLogger } from '@wagate/telemetry';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Heartbeat, JobOutcome } from '../agents/agent-reports.js';
import type { DeviceSessions } from '../agents/device-sessions.js';
import type { AdminState, DevicesTable, FleetTables } from '../db/tables.js';
import { recordDeviceChange, releaseContacts } from './device-history.js';
import { type HealthThresholds, healthState, isAccepting, resultMark } from './health-rules.js';

const log = createLogger('fleet:health');

export interface DeviceHealth {
  heartbeat(heartbeat: Heartbeat): Promise<void>;
  result(result: Pick<JobOutcome, 'deviceId' | 'sent' | 'errorCode'>): Promise<void>;
  /** Devices whose agent just connected: their state (and the sessions' `accepting`) is brought up to date. */
  connected(deviceIds: string[]): Promise<void>;
  /** Quarantine, drain or release a device; a no-op (and no history) when it already is so. */
  setAdminState(deviceId: string, to: AdminState, reason: string): Promise<void>;
  /** One pass of the sweep (offline devices, automatic quarantine, then `afterSweep`). */
  sweepOnce(now?: Date): Promise<void>;
  stop(): Promise<void>;
}

const healthColumns = [
  'id',
  'account_id',
  'last_seen_at',
  'whatsapp_state',
  'recent_results',
  'state',
  'admin_state',
] as const satisfies ReadonlyArray<keyof DevicesTable>;
type HealthRow = Pick<Selectable<DevicesTable>, (typeof healthColumns)[number]>;

/**
 * The device health state machine: heartbeats, job results and silence move a device between
 * online, offline, degraded, banned, logged_out and update_required; its admin state
 * (active, quarantined, draining) is set by hand or by the automatic quarantine. Every change
 * is a history row and a `device.state.changed` event in one transaction; a device that stops
 * accepting jobs gives up its sticky conversations in that transaction too.
 */
export function startDeviceHealth(deps: {
  db: Kysely<FleetTables>;
  sessions: DeviceSessions;
  limits: HealthThresholds;
  /** A change was written (its event waits in the outbox). */
  onChange(): void;
  /** A device may take jobs again. */
  onAccepting(): void;
  /** Runs at the end of every sweep pass (the recovery command). */
  afterSweep?(now: Date): Promise<void>;
}): DeviceHealth {
  const { db, limits } = deps;

  function sync(device: HealthRow): void {
    const session = deps.sessions.get(device.id);
    if (!session) return;
    const accepting = isAccepting(device);
    const was = session.accepting;
    session.accepting = accepting;
    if (accepting && was !== true) deps.onAccepting();
  }

  /** Locks the device, lets `decide` say what changes, and writes it with its history row. */
  async function transition(
    deviceId: string,
    decide: (
      device: HealthRow,
    ) => { column: 'state' | 'admin_state'; to: string; reason: string } | undefined,
    now = new Date(),
  ): Promise<void> {
    const outcome = await db.transaction().execute(async (trx) => {
      const device = await trx
        .selectFrom('devices')
        .select(healthColumns)
        .where('id', '=', deviceId)
        .forUpdate()
        .executeTakeFirst();
      if (!device) return undefined;
      const change = decide(device);
      if (!change || device[change.column] === change.to) return { device, changed: false };
      const next = { ...device, [change.column]: change.to } as HealthRow;
      await trx
        .updateTable('devices')
        .set(
          change.column === 'state'
            ? { state: next.state, state_reason: change.reason, state_changed_at: now }
            : { admin_state: next.admin_state },
        )
        .where('id', '=', deviceId)
        .execute();
      await recordDeviceChange(trx, {
        deviceId,
        accountId: device.account_id,
        change: change.column,
        from: device[change.column],
        to: change.to,
        reason: change.reason,
      });
      if (isAccepting(device) && !isAccepting(next)) await releaseContacts(trx, deviceId);
      return { device: next, changed: true };
    });
    if (!outcome) return;
    if (outcome.changed) {
      log.info(
        { deviceId, state: outcome.device.state, adminState: outcome.device.admin_state },
        'device changed',
      );
      deps.onChange();
    }
    sync(outcome.device);
  }

  /**
   * After a report was stored: most reports change no state, and then nothing is locked; a
   * change is re-checked and written under the device's lock.
   */
  async function settle(device: HealthRow | undefined, now: Date): Promise<void> {
    if (!device) return;
    if (nextState(device, now).state !== device.state) await evaluate(device.id, now);
    else sync(device);
  }

  function nextState(device: HealthRow, now: Date) {
    return healthState(
      {
        lastSeenAt: device.last_seen_at,
        whatsappState: device.whatsapp_state,
        recentResults: device.recent_results,
      },
      now,
      limits,
    );
  }

  function evaluate(deviceId: string, now = new Date()): Promise<void> {
    return transition(
      deviceId,
      (device) => {
        const next = nextState(device, now);
        return { column: 'state', to: next.state, reason: next.reason };
      },
      now,
    );
  }

  // A pass over thousands of silent devices (a transaction each) must not hold up a shutdown: it
  // stops between devices, and the next process's first pass finds the rest (the query is the state).
  let stopping = false;

  async function sweepOnce(now = new Date()): Promise<void> {
    const silent = await db
      .selectFrom('devices')
      .select('id')
      .where('state', '!=', 'offline')
      .where('last_seen_at', '<', new Date(now.getTime() - limits.offlineAfterMs))
      .execute();
    for (const device of silent) {
      if (stopping) return;
      await evaluate(device.id, now);
    }
    const failing = await db
      .selectFrom('devices')
      .select(['id', 'state', 'state_changed_at'])
      .where('admin_state', '=', 'active')
      .where((eb) =>
        eb.or([
          eb.and([
            eb('state', '=', 'degraded'),
            eb('state_changed_at', '<', new Date(now.getTime() - limits.quarantineDegradedAfterMs)),
          ]),
          eb.and([
            eb('state', '=', 'banned'),
            eb('state_changed_at', '<', new Date(now.getTime() - limits.quarantineBannedAfterMs)),
          ]),
        ]),
      )
      .execute();
    for (const device of failing) {
      if (stopping) return;
      const reason = `automatic: ${device.state} since ${device.state_changed_at.toISOString()}`;
      await transition(device.id, () => ({ column: 'admin_state', to: 'quarantined', reason }), now);
    }
    await deps.afterSweep?.(now);
  }

  const sweep: Pump = startPump({
    drainOnce: () => sweepOnce(),
    pollMs: limits.heartbeatIntervalMs,
    onError: (error) => log.error({ err: error }, 'device health sweep failed'),
  });

  return {
    async heartbeat(heartbeat) {
      const now = new Date();
      await db
        .updateTable('devices')
        .set({
          last_seen_at: now,
          last_heartbeat_at: now,
          battery_percent: heartbeat.batteryPercent,
          screen_on: heartbeat.screenOn,
          storage_free_bytes: heartbeat.storageFreeBytes,
          network_up: heartbeat.networkUp,
          whatsapp_state: heartbeat.whatsappState,
        })
        .where('id', '=', heartbeat.deviceId)
        .returning(healthColumns)
        .executeTakeFirst()
        .then((device) => settle(device, now));
    },
    async result(result) {
      const mark = resultMark(result.sent, result.errorCode);
      const now = new Date();
      await db
        .updateTable('devices')
        .set({
          last_seen_at: now,
          last_result_at: now,
          ...(mark
            ? { recent_results: sql<string>`right(recent_results || ${mark}, ${limits.resultWindow}::int)` }
            : {}),
        })
        .where('id', '=', result.deviceId)
        .returning(healthColumns)
        .executeTakeFirst()
        .then((device) => settle(device, now));
    },
    async connected(deviceIds) {
      for (const deviceId of deviceIds) await evaluate(deviceId);
    },
    setAdminState: (deviceId, to, reason) =>
      transition(deviceId, () => ({ column: 'admin_state', to, reason })),
    sweepOnce,
    stop() {
      stopping = true;
      return sweep.stop();
    },
  };
}
