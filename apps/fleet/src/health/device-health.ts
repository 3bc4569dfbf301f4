import { type Pump, startPump } from '@wagate/outbox';
import { createLogger } from '@wagate/telemetry';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Heartbeat, JobOutcome } from '../agents/agent-reports.js';
import type { DeviceSessions } from '../agents/device-sessions.js';
import { type AdminState, type DevicesTable, FLEET_SCHEMA, type FleetTables } from '../db/tables.js';
import { reportBatches } from '../report-batches.js';
import { type DeviceChange, recordDeviceChanges, releaseContacts } from './device-history.js';
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
type Decide = (
  device: HealthRow,
) => { column: 'state' | 'admin_state'; to: string; reason: string } | undefined;

/** Devices whose state changes are written in one transaction (see transitionAll). */
const CHANGES_AT_ONCE = 500;

/** Writes each device's new state (with its reason and time) or admin state. */
async function writeChanges(
  trx: Kysely<FleetTables>,
  changes: Array<{ deviceId: string; column: 'state' | 'admin_state'; to: string; reason: string }>,
  now: Date,
): Promise<void> {
  const devices = sql.table(`${FLEET_SCHEMA}.devices`);
  const states = changes.filter((change) => change.column === 'state');
  if (states.length > 0) {
    const values = sql.join(states.map((c) => sql`(${c.deviceId}::text, ${c.to}::text, ${c.reason}::text)`));
    await sql`
      update ${devices} as device set state = change.state, state_reason = change.reason, state_changed_at = ${now}
      from (values ${values}) as change (id, state, reason)
      where device.id = change.id`.execute(trx);
  }
  const adminStates = changes.filter((change) => change.column === 'admin_state');
  if (adminStates.length > 0) {
    const values = sql.join(adminStates.map((c) => sql`(${c.deviceId}::text, ${c.to}::text)`));
    await sql`
      update ${devices} as device set admin_state = change.admin_state
      from (values ${values}) as change (id, admin_state)
      where device.id = change.id`.execute(trx);
  }
}

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
  function transition(deviceId: string, decide: Decide, now = new Date()): Promise<void> {
    return transitionAll([deviceId], decide, now);
  }

  /**
   * The same for many devices in one transaction (a farm's devices change together: a host's
   * stream connects, a sweep finds them silent): locked in id order, so two such transactions
   * never wait for each other in a cycle; one statement per kind of write.
   */
  async function transitionAll(deviceIds: string[], decide: Decide, now = new Date()): Promise<void> {
    if (deviceIds.length === 0) return;
    const outcome = await db.transaction().execute(async (trx) => {
      const devices = await trx
        .selectFrom('devices')
        .select(healthColumns)
        .where('id', 'in', deviceIds)
        .orderBy('id')
        .forUpdate()
        .execute();
      const after: HealthRow[] = [];
      const changes: Array<DeviceChange & { column: 'state' | 'admin_state' }> = [];
      const leaving: string[] = [];
      for (const device of devices) {
        const change = decide(device);
        if (!change || device[change.column] === change.to) {
          after.push(device);
          continue;
        }
        const next = { ...device, [change.column]: change.to } as HealthRow;
        after.push(next);
        changes.push({
          deviceId: device.id,
          accountId: device.account_id,
          column: change.column,
          change: change.column,
          from: device[change.column],
          to: change.to,
          reason: change.reason,
        });
        if (isAccepting(device) && !isAccepting(next)) leaving.push(device.id);
      }
      await writeChanges(trx, changes, now);
      await recordDeviceChanges(trx, changes);
      await releaseContacts(trx, leaving);
      return { after, changed: new Set(changes.map((change) => change.deviceId)) };
    });
    for (const device of outcome.after) {
      if (outcome.changed.has(device.id)) {
        log.info(
          { deviceId: device.id, state: device.state, adminState: device.admin_state },
          'device changed',
        );
      }
      sync(device);
    }
    if (outcome.changed.size > 0) deps.onChange();
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
    return evaluateAll([deviceId], now);
  }

  /** Brings these devices' state up to date, a transaction per `CHANGES_AT_ONCE` of them. */
  async function evaluateAll(deviceIds: string[], now = new Date()): Promise<void> {
    for (let first = 0; first < deviceIds.length; first += CHANGES_AT_ONCE) {
      // A pass over thousands of devices must not hold up a shutdown (see `stopping`).
      if (stopping && first > 0) return;
      await transitionAll(
        deviceIds.slice(first, first + CHANGES_AT_ONCE),
        (device) => {
          const next = nextState(device, now);
          return { column: 'state', to: next.state, reason: next.reason };
        },
        now,
      );
    }
  }

  // A pass over thousands of silent devices must not hold up a shutdown: it stops between
  // transactions, and the next process's first pass finds the rest (the query is the state).
  let stopping = false;

  async function sweepOnce(now = new Date()): Promise<void> {
    const silent = await db
      .selectFrom('devices')
      .select('id')
      .where('state', '!=', 'offline')
      .where('last_seen_at', '<', new Date(now.getTime() - limits.offlineAfterMs))
      .execute();
    await evaluateAll(
      silent.map((device) => device.id),
      now,
    );
    if (stopping) return;
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

  // Heartbeats and results of every stream, written a batch at a time (report-batches.ts): a
  // farm's devices report thousands of times a second, and one round trip each would queue the
  // scheduler's and the results' statements behind them on the pool.
  const reports = reportBatches<DeviceReport, HealthRow | undefined>({
    write: (items) => writeDeviceReports(db, items, limits.resultWindow),
    maxReports: 500,
    // By device: a device's heartbeat and result are never in two batches written at once.
    lanes: 2,
    keyOf: (item) => (item.kind === 'heartbeat' ? item.heartbeat.deviceId : item.deviceId),
  });

  return {
    async heartbeat(heartbeat) {
      const now = new Date();
      await settle(await reports.submit({ kind: 'heartbeat', heartbeat, now }), now);
    },
    async result(result) {
      const now = new Date();
      const mark = resultMark(result.sent, result.errorCode) ?? '';
      await settle(await reports.submit({ kind: 'result', deviceId: result.deviceId, mark, now }), now);
    },
    async connected(deviceIds) {
      if (deviceIds.length === 0) return;
      // One read for the stream's devices; only those whose state changes take the lock (a
      // reconnect within the offline limit changes nothing).
      const now = new Date();
      const rows = await db
        .selectFrom('devices')
        .select(healthColumns)
        .where('id', 'in', deviceIds)
        .execute();
      const changing: string[] = [];
      for (const device of rows) {
        if (nextState(device, now).state !== device.state) changing.push(device.id);
        else sync(device);
      }
      await evaluateAll(changing, now);
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

type DeviceReport =
  | { kind: 'heartbeat'; heartbeat: Heartbeat; now: Date }
  /** `mark`: what the result adds to the device's recent results ('' for nothing). */
  | { kind: 'result'; deviceId: string; mark: string; now: Date };

/**
 * Writes a batch of reports in at most two statements (heartbeats, then results) and answers
 * each with its device's health columns after the write (undefined for an unknown device).
 * A device's reports in one batch are merged: its latest heartbeat's fields, its results'
 * marks in order.
 */
async function writeDeviceReports(
  db: Kysely<FleetTables>,
  items: DeviceReport[],
  resultWindow: number,
): Promise<Array<HealthRow | undefined>> {
  const devices = sql.table(`${FLEET_SCHEMA}.devices`);
  const returning = sql.join(healthColumns.map((column) => sql.ref(`device.${column}`)));
  const heartbeats = new Map<string, { heartbeat: Heartbeat; now: Date }>();
  const results = new Map<string, { marks: string; now: Date }>();
  for (const item of items) {
    if (item.kind === 'heartbeat') heartbeats.set(item.heartbeat.deviceId, item);
    else {
      const marks = results.get(item.deviceId)?.marks ?? '';
      results.set(item.deviceId, { marks: marks + item.mark, now: item.now });
    }
  }
  const after = new Map<string, HealthRow>();
  if (heartbeats.size > 0) {
    const values = sql.join(
      [...heartbeats.values()].map(
        ({ heartbeat, now }) =>
          sql`(${heartbeat.deviceId}::text, ${now}::timestamptz, ${heartbeat.batteryPercent}::integer,
            ${heartbeat.screenOn}::boolean, ${bytesOrNull(heartbeat.storageFreeBytes)}::bigint,
            ${heartbeat.networkUp}::boolean, ${heartbeat.whatsappState}::text)`,
      ),
    );
    const { rows } = await sql<HealthRow>`
      update ${devices} as device set
        last_seen_at = report.at, last_heartbeat_at = report.at,
        battery_percent = report.battery_percent, screen_on = report.screen_on,
        storage_free_bytes = report.storage_free_bytes, network_up = report.network_up,
        whatsapp_state = report.whatsapp_state
      from (values ${values}) as report (id, at, battery_percent, screen_on, storage_free_bytes, network_up, whatsapp_state)
      where device.id = report.id
      returning ${returning}`.execute(db);
    for (const row of rows) after.set(row.id, row);
  }
  if (results.size > 0) {
    const values = sql.join(
      [...results].map(
        ([deviceId, { marks, now }]) => sql`(${deviceId}::text, ${now}::timestamptz, ${marks}::text)`,
      ),
    );
    const { rows } = await sql<HealthRow>`
      update ${devices} as device set
        last_seen_at = report.at, last_result_at = report.at,
        recent_results = right(device.recent_results || report.marks, ${resultWindow}::int)
      from (values ${values}) as report (id, at, marks)
      where device.id = report.id
      returning ${returning}`.execute(db);
    for (const row of rows) after.set(row.id, row);
  }
  return items.map((item) => after.get(item.kind === 'heartbeat' ? item.heartbeat.deviceId : item.deviceId));
}

/** A count of bytes as the column takes it; anything else is not stored (one agent's odd value must not fail the batch it shares with others). */
function bytesOrNull(value: string): string | null {
  return /^\d{1,18}$/.test(value) ? value : null;
}
