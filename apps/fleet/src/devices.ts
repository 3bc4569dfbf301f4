import type { fleet } from '@wagate/contracts';
import { decodeCursor, InvalidCursorError, pageOf, pageSize } from '@wagate/db';
import { DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { DeviceSessions } from './agents/device-sessions.js';
import { adminStates, type AdminState, type FleetTables } from './db/tables.js';
import type { DeviceHealth } from './health/device-health.js';
import { recordDeviceChange, releaseContacts } from './health/device-history.js';
import { isAccepting } from './health/health-rules.js';
import { DAY_MS, type DevicePacer, utcDay } from './pacing.js';
import { ensureSender } from './senders.js';

/** An allowance without a cap (no warm-up and no daily limit) as the largest int32. */
const finiteOrMax = (n: number) => (Number.isFinite(n) ? n : 2_147_483_647);

/**
 * The devices an account subtree sees through /v1. Every query takes the visible account ids;
 * a device outside them is answered like a missing one. "Connected" is what this fleet
 * process sees (as for senders).
 */
export function deviceQueries(
  db: Kysely<FleetTables>,
  sessions: Pick<DeviceSessions, 'get' | 'rebind'>,
  health: Pick<DeviceHealth, 'setAdminState'>,
  pacer: Pick<DevicePacer, 'allowance' | 'now'>,
) {
  function devices(accountIds: string[]) {
    return db
      .selectFrom('devices')
      .leftJoin('senders', 'senders.id', 'devices.sender_id')
      .selectAll('devices')
      .select('senders.name as sender')
      .where('devices.account_id', 'in', accountIds.length > 0 ? accountIds : ['\u0001none'])
      .orderBy('devices.id');
  }

  type Row = Awaited<ReturnType<ReturnType<typeof devices>['executeTakeFirstOrThrow']>>;

  /** Pacing and today's jobs of the devices shown, in two queries for the whole page. */
  async function activity(ids: string[]) {
    if (ids.length === 0) return { paces: new Map(), jobsToday: new Map() };
    const today = utcDay(pacer.now());
    const [paces, jobs] = await Promise.all([
      db.selectFrom('device_pacing').selectAll().where('device_id', 'in', ids).execute(),
      db
        .selectFrom('jobs')
        .select(['device_id', (eb) => eb.fn.countAll<string>().as('done')])
        .where('device_id', 'in', ids)
        .where('state', '=', 'done')
        .where('updated_at', '>=', new Date(today * DAY_MS))
        .groupBy('device_id')
        .execute(),
    ]);
    return {
      paces: new Map(
        paces.map((pace): [string, fleet.DevicePacing] => [
          pace.device_id,
          {
            warmupDay: today - pace.first_seen_day + 1,
            newContactsToday: pace.day === today ? pace.new_contacts : 0,
            newContactsAllowedToday: finiteOrMax(pacer.allowance(pace.first_seen_day, today)),
          },
        ]),
      ),
      jobsToday: new Map(jobs.map((job) => [job.device_id!, Number(job.done)])),
    };
  }

  async function views(rows: Row[]): Promise<fleet.Device[]> {
    const { paces, jobsToday } = await activity(rows.map((row) => row.id));
    return rows.map((row) => ({
      ...view(row),
      ...(paces.has(row.id) ? { pacing: paces.get(row.id) } : {}),
      jobsToday: jobsToday.get(row.id) ?? 0,
    }));
  }

  function view(row: Row): fleet.Device {
    const ms = (date: Date | null) => (date ? String(date.getTime()) : '0');
    return {
      deviceId: row.id,
      accountId: row.account_id ?? '',
      agentId: row.agent_id,
      deviceKey: row.device_key,
      phoneNumber: row.phone_number,
      sender: row.sender ?? '',
      senderId: row.sender_id ?? '',
      state: row.state,
      stateReason: row.state_reason,
      stateChangedAtMs: ms(row.state_changed_at),
      adminState: row.admin_state,
      androidVersion: row.android_version,
      whatsappVersion: row.whatsapp_version,
      driver: row.driver,
      connected: sessions.get(row.id) !== undefined,
      accepting: sessions.get(row.id) !== undefined && isAccepting(row),
      health: {
        lastHeartbeatAtMs: ms(row.last_heartbeat_at),
        batteryPercent: row.battery_percent ?? undefined,
        screenOn: row.screen_on ?? undefined,
        storageFreeBytes: row.storage_free_bytes ?? undefined,
        networkUp: row.network_up ?? undefined,
        whatsappState: row.whatsapp_state,
      },
      createdAtMs: ms(row.created_at),
      jobsToday: 0,
      recentResults: row.recent_results,
    };
  }

  async function visible(accountIds: string[], deviceId: string): Promise<Row> {
    const row = await devices(accountIds).where('devices.id', '=', deviceId).executeTakeFirst();
    if (!row) throw new DomainError(ErrorKey.NotFound, `no device "${deviceId}" in this account's tree`);
    return row;
  }

  return {
    /** The device, if it is in these accounts; NOT_FOUND (naming no account) otherwise. */
    located: (accountIds: string[], deviceId: string) => visible(accountIds, deviceId),

    async list(request: fleet.ListDevicesRequest): Promise<fleet.ListDevicesResponse> {
      const size = pageSize(request.limit);
      const after = readCursor(request.cursor);
      const rows = await devices(request.accountIds)
        .$if(after !== undefined, (query) => query.where('devices.id', '>', after![0]))
        .limit(size + 1)
        .execute();
      const page = pageOf(rows, size, (row) => [row.id]);
      return { devices: await views(page.rows), nextCursor: page.nextCursor };
    },

    async locate(request: fleet.LocateDeviceRequest): Promise<fleet.LocateDeviceResponse> {
      const row = await db
        .selectFrom('devices')
        .select('account_id')
        .where('id', '=', request.deviceId)
        .executeTakeFirst();
      return { accountId: row?.account_id ?? '' };
    },

    async get(request: fleet.GetDeviceRequest): Promise<fleet.GetDeviceResponse> {
      const row = await visible(request.accountIds, request.deviceId);
      const limit = Math.min(Math.max(request.historyLimit || 50, 1), 100);
      const history = await db
        .selectFrom('device_history')
        .selectAll()
        .where('device_id', '=', row.id)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return {
        device: (await views([row]))[0],
        history: history.map((entry) => ({
          atMs: String(entry.at.getTime()),
          change: entry.change,
          from: entry.from_value,
          to: entry.to_value,
          reason: entry.reason,
        })),
      };
    },

    /** The device serves the sender `name` of its own account from its next job on. */
    async bind(request: fleet.BindDeviceRequest): Promise<fleet.BindDeviceResponse> {
      const row = await visible(request.accountIds, request.deviceId);
      if (!request.sender) throw new DomainError(ErrorKey.Invalid, 'sender is required');
      const sender = await ensureSender(db, row.account_id!, request.sender);
      if (sender.id !== row.sender_id) {
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('devices').set({ sender_id: sender.id }).where('id', '=', row.id).execute();
          // Its conversations of the old pool go to that pool's other devices.
          await releaseContacts(trx, [row.id]);
          await recordDeviceChange(trx, {
            deviceId: row.id,
            accountId: row.account_id,
            change: 'sender',
            from: row.sender ?? '',
            to: request.sender,
            reason: 'bound through the api',
          });
        });
        sessions.rebind(row.id, sender.id);
      }
      return { device: view(await visible(request.accountIds, row.id)) };
    },

    async changeAdminState(
      request: fleet.ChangeDeviceAdminStateRequest,
    ): Promise<fleet.ChangeDeviceAdminStateResponse> {
      const row = await visible(request.accountIds, request.deviceId);
      if (!(adminStates as readonly string[]).includes(request.adminState)) {
        throw new DomainError(ErrorKey.Invalid, `adminState must be one of ${adminStates.join(', ')}`);
      }
      await health.setAdminState(row.id, request.adminState as AdminState, request.reason || 'by hand');
      return { device: view(await visible(request.accountIds, row.id)) };
    },
  };
}

function readCursor(cursor: string): readonly [string] | undefined {
  try {
    return decodeCursor(
      cursor,
      (key): key is readonly [string] => key.length === 1 && key[0] !== '' && !key[0]!.includes('\u0000'),
    );
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new DomainError(ErrorKey.Invalid, error.message);
    throw error;
  }
}
