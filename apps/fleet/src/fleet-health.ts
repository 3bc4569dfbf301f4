import { adminStates, type DeviceState, deviceStates } from '@wagate/contracts';
import { type Kysely, sql } from 'kysely';
import type { FleetTables } from './db/tables.js';

/** The worst first: a ban loses the number, an offline device may come back by itself. */
const STATE_SEVERITY: Record<DeviceState, number> = {
  banned: 5,
  logged_out: 4,
  update_required: 3,
  offline: 2,
  degraded: 1,
  online: 0,
};
/** The fleet of some accounts at a glance: counts by state, the worst devices, each pool's queue. */
export interface FleetHealth {
  /** Every pair of health and admin state, zero counts included. */
  devices: Array<{ state: string; adminState: string; count: number }>;
  worst: DeviceTrouble[];
  queues: SenderQueue[];
}

export interface DeviceTrouble {
  deviceId: string;
  /** Empty for a device enrolled before accounts owned devices. */
  accountId: string;
  phoneNumber: string;
  /** Empty: in no sender pool. */
  sender: string;
  state: string;
  adminState: string;
  /** In words: the state and its reason, the admin state, failed jobs, silence. */
  why: string;
  recentFailures: number;
  recentResults: number;
  lastHeartbeatAt: Date | null;
}

export interface SenderQueue {
  senderId: string;
  sender: string;
  accountId: string;
  queued: number;
  inFlight: number;
  oldestQueuedAt: Date | null;
  usableDevices: number;
  devices: number;
}

const DEFAULT_WORST = 10;
const MAX_WORST = 50;

/**
 * The health of some accounts' devices at a glance (GET /v1/fleet/health): how many devices
 * are in each state, the worst ones and why, and each sender pool's queue. Three grouped,
 * indexed queries, whatever the fleet's size; `accountIds` is the caller's subtree.
 */
export async function fleetHealth(
  db: Kysely<FleetTables>,
  request: { accountIds: string[]; worstLimit: number },
  now = Date.now(),
): Promise<FleetHealth> {
  if (request.accountIds.length === 0) return { devices: countsOf([]), worst: [], queues: [] };
  const accountIds = request.accountIds;
  const counted = await db
    .selectFrom('devices')
    .select(['state', 'admin_state', (eb) => eb.fn.countAll<string>().as('count')])
    .where('account_id', 'in', accountIds)
    .groupBy(['state', 'admin_state'])
    .execute();

  const failures = sql<number>`length(recent_results) - length(replace(replace(recent_results, 'f', ''), 'b', ''))`;
  const severity = sql<number>`case state ${sql.join(
    Object.entries(STATE_SEVERITY).map(([state, rank]) => sql`when ${state} then ${rank}`),
    sql` `,
  )} else 0 end`;
  const limit = Math.min(MAX_WORST, Math.max(1, request.worstLimit || DEFAULT_WORST));
  const troubled = await db
    .selectFrom('devices')
    .leftJoin('senders', 'senders.id', 'devices.sender_id')
    .select([
      'devices.id',
      'devices.account_id',
      'devices.phone_number',
      'senders.name as sender',
      'devices.state',
      'devices.state_reason',
      'devices.admin_state',
      'devices.recent_results',
      'devices.last_heartbeat_at',
      failures.as('failures'),
    ])
    .where('devices.account_id', 'in', accountIds)
    .where((eb) =>
      eb.or([
        eb('devices.state', '<>', 'online'),
        eb('devices.admin_state', '<>', 'active'),
        eb(failures, '>', 0),
      ]),
    )
    .orderBy(severity, 'desc')
    .orderBy(sql`admin_state <> 'active'`, 'desc')
    .orderBy(failures, 'desc')
    .orderBy('devices.id')
    .limit(limit)
    .execute();

  const queues = await db
    .selectFrom('senders')
    .where('senders.account_id', 'in', accountIds)
    .select([
      'senders.id',
      'senders.name',
      'senders.account_id',
      (eb) =>
        eb
          .selectFrom('jobs')
          .whereRef('jobs.sender_id', '=', 'senders.id')
          .where('jobs.state', '=', 'queued')
          .select((inner) => inner.fn.countAll<string>().as('n'))
          .as('queued'),
      (eb) =>
        eb
          .selectFrom('jobs')
          .whereRef('jobs.sender_id', '=', 'senders.id')
          .where('jobs.state', '=', 'offered')
          .select((inner) => inner.fn.countAll<string>().as('n'))
          .as('in_flight'),
      (eb) =>
        eb
          .selectFrom('jobs')
          .whereRef('jobs.sender_id', '=', 'senders.id')
          .where('jobs.state', '=', 'queued')
          .select((inner) => inner.fn.min('jobs.created_at').as('oldest'))
          .as('oldest'),
      (eb) =>
        eb
          .selectFrom('devices')
          .whereRef('devices.sender_id', '=', 'senders.id')
          .select((inner) => inner.fn.countAll<string>().as('n'))
          .as('devices'),
      (eb) =>
        eb
          .selectFrom('devices')
          .whereRef('devices.sender_id', '=', 'senders.id')
          .where('devices.state', 'in', ['online', 'degraded'])
          .where('devices.admin_state', '=', 'active')
          .select((inner) => inner.fn.countAll<string>().as('n'))
          .as('usable'),
    ])
    .orderBy('senders.account_id')
    .orderBy('senders.name')
    .execute();

  return {
    devices: countsOf(counted),
    worst: troubled.map((row) => ({
      deviceId: row.id,
      accountId: row.account_id ?? '',
      phoneNumber: row.phone_number,
      sender: row.sender ?? '',
      state: row.state,
      adminState: row.admin_state,
      why: whyTroubled(row, now),
      recentFailures: Number(row.failures),
      recentResults: row.recent_results.length,
      lastHeartbeatAt: row.last_heartbeat_at,
    })),
    queues: queues.map((row) => ({
      senderId: row.id,
      sender: row.name,
      accountId: row.account_id,
      queued: Number(row.queued ?? 0),
      inFlight: Number(row.in_flight ?? 0),
      oldestQueuedAt: row.oldest ? new Date(row.oldest as Date) : null,
      usableDevices: Number(row.usable ?? 0),
      devices: Number(row.devices ?? 0),
    })),
  };
}

function countsOf(
  rows: ReadonlyArray<{ state: string; admin_state: string; count: string }>,
): FleetHealth['devices'] {
  return deviceStates.flatMap((state) =>
    adminStates.map((adminState) => ({
      state,
      adminState,
      count: Number(rows.find((row) => row.state === state && row.admin_state === adminState)?.count ?? 0),
    })),
  );
}

/** In words: the state and its reason, the admin state, failed jobs, and silence. */
function whyTroubled(
  row: {
    state: string;
    state_reason: string;
    admin_state: string;
    recent_results: string;
    failures: number;
    last_heartbeat_at: Date | null;
  },
  now: number,
): string {
  const parts: string[] = [];
  if (row.state !== 'online') parts.push(row.state_reason ? `${row.state}: ${row.state_reason}` : row.state);
  if (row.admin_state !== 'active') parts.push(row.admin_state);
  if (Number(row.failures) > 0)
    parts.push(`${row.failures} of its last ${row.recent_results.length} jobs failed`);
  if (row.last_heartbeat_at && row.state === 'offline') {
    parts.push(`no heartbeat for ${Math.round((now - row.last_heartbeat_at.getTime()) / 60_000)} min`);
  } else if (!row.last_heartbeat_at) parts.push('never sent a heartbeat');
  return parts.join('; ');
}
