import { execFile } from 'node:child_process';
import { createLogger } from '@wagate/telemetry';
import { type Kysely, sql } from 'kysely';
import type { FleetTables } from '../db/tables.js';
import { recordDeviceChange } from './device-history.js';

const log = createLogger('fleet:recovery');

export interface RecoveryOptions {
  /**
   * The program and its arguments, split on whitespace; `{deviceKey}`, `{deviceId}` and
   * `{agentId}` in an argument are replaced. Run with execFile, never a shell.
   */
  command: string[];
  timeoutMs: number;
  /** Online with offers outstanding but no job result for this long: stuck. */
  stuckAfterMs: number;
  /** Offline for this long: stuck. */
  offlineAfterMs: number;
  /** At most one run per device in this time. */
  cooldownMs: number;
}

export function parseRecoveryCommand(text: string): string[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((part) => part.length > 0);
}

/**
 * Runs the recovery command once for every stuck device whose last run is older than the
 * cooldown, and records each run (exit status or error) in the device's history. The device
 * is claimed with its `recovery_at` first, so two fleet replicas never both run it.
 */
export async function recoverStuckDevices(
  db: Kysely<FleetTables>,
  options: RecoveryOptions,
  now: Date,
  onRecorded: () => void,
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
    const args = options.command.map((part) =>
      part
        .replaceAll('{deviceKey}', device.device_key)
        .replaceAll('{deviceId}', device.id)
        .replaceAll('{agentId}', device.agent_id),
    );
    const outcome = await run(args, options.timeoutMs);
    log.info({ deviceId: device.id, ok: outcome.ok, detail: outcome.detail }, 'recovery command ran');
    await db.transaction().execute((trx) =>
      recordDeviceChange(trx, {
        deviceId: device.id,
        accountId: device.account_id,
        change: 'recovery',
        from: device.state,
        to: outcome.ok ? 'ok' : 'failed',
        reason: `${why}; ${outcome.detail}`,
      }),
    );
    onRecorded();
  }
}

function run(args: string[], timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  const [file, ...rest] = args;
  if (!file) return Promise.resolve({ ok: false, detail: 'no command configured' });
  return new Promise((resolve) => {
    execFile(file, rest, { timeout: timeoutMs, windowsHide: true }, (error, _stdout, stderr) => {
      if (!error) return resolve({ ok: true, detail: 'exit 0' });
      const code = (error as NodeJS.ErrnoException & { killed?: boolean }).killed
        ? `killed after ${timeoutMs} ms`
        : `exit ${error.code ?? 'unknown'}`;
      resolve({ ok: false, detail: `${code}${stderr ? `: ${String(stderr).trim().slice(0, 200)}` : ''}` });
    });
  });
}
