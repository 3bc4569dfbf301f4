import { createLogger } from '@wagate/telemetry';
import { type Kysely, sql } from 'kysely';
import type { FleetTables } from '../db/tables.js';
import { recordDeviceChange } from './device-history.js';

const log = createLogger('fleet:recovery');

export interface RecoveryOptions {
  /** Online with offers outstanding but no job result for this long: stuck. */
  stuckAfterMs: number;
  /** Offline for this long: stuck. */
  offlineAfterMs: number;
  /** At most one run per device in this time. */
  cooldownMs: number;
}

/**
 * Asks the agent hosting each stuck device to restart its VM (a VM command, see
 * vm/vm-commands.ts), once per cooldown, and records the request in the device's history;
 * the command's outcome follows there as a `command` entry. The device is claimed with its
 * `recovery_at` first, so two fleet replicas never both ask.
 */
export async function recoverStuckDevices(
  db: Kysely<FleetTables>,
  options: RecoveryOptions,
  now: Date,
  onRecorded: () => void,
  restartVm: (deviceId: string) => Promise<{ id: string }>,
): Promise<void> {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const due = (eb: any) =>
    eb.or([eb('recovery_at', 'is', null), eb('recovery_at', '<', ago(options.cooldownMs))]);
  const stuck = await db
    .selectFrom('devices')
    .select(['id', 'state'])
    .where(due)
    .where((eb) =>
      eb.or([
        eb.and([eb('state', '=', 'offline'), eb('state_changed_at', '<', ago(options.offlineAfterMs))]),
        eb.and([
          eb('state', 'in', ['online', 'degraded']),
          eb.or([eb('last_result_at', 'is', null), eb('last_result_at', '<', ago(options.stuckAfterMs))]),
          eb.exists(
            eb
              .selectFrom('jobs')
              .select(sql`1`.as('one'))
              .whereRef('jobs.device_id', '=', 'devices.id')
              .where('jobs.state', '=', 'offered')
              .where('jobs.updated_at', '<', ago(options.stuckAfterMs)),
          ),
        ]),
      ]),
    )
    .execute();
  for (const candidate of stuck) {
    const device = await db
      .updateTable('devices')
      .set({ recovery_at: now })
      .where('id', '=', candidate.id)
      .where(due)
      .returning(['id', 'device_key', 'agent_id', 'account_id', 'state'])
      .executeTakeFirst();
    if (!device) continue;
    const why =
      device.state === 'offline'
        ? `offline for over ${Math.round(options.offlineAfterMs / 1000)} s`
        : `offers outstanding and no job result for over ${Math.round(options.stuckAfterMs / 1000)} s`;
    let outcome: { ok: boolean; detail: string };
    try {
      const command = await restartVm(device.id);
      outcome = { ok: true, detail: `restart command ${command.id} for agent ${device.agent_id}` };
    } catch (error) {
      outcome = { ok: false, detail: `no restart command: ${(error as Error).message}` };
    }
    log.info({ deviceId: device.id, ...outcome }, 'stuck device');
    await db.transaction().execute((trx) =>
      recordDeviceChange(trx, {
        deviceId: device.id,
        accountId: device.account_id,
        change: 'recovery',
        from: device.state,
        to: outcome.ok ? 'requested' : 'failed',
        reason: `${why}; ${outcome.detail}`,
      }),
    );
    onRecorded();
  }
}
