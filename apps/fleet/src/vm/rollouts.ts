import { fleet } from '@wagate/contracts';
import { prefixedId } from '@wagate/ids';
import { DomainError, ErrorKey } from '@wagate/errors';
import { createLogger } from '@wagate/telemetry';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { FleetTables, RolloutsTable } from '../db/tables.js';
import { checkApkSource, type VmCommandHub } from './vm-commands.js';

const log = createLogger('fleet:rollouts');

type RolloutRow = Selectable<RolloutsTable>;

export const rolloutDefaults = { firstWaveShare: 0.05, growth: 2, maxFailureRate: 0.2 };

/**
 * The wave (from 1) of each of `total` devices: the first holds `share` of them (at least one),
 * each next one `growth` times the last, until all are in.
 */
export function waveSizes(total: number, share: number, growth: number): number[] {
  const sizes: number[] = [];
  let placed = 0;
  let size = Math.max(1, Math.ceil(total * share));
  while (placed < total) {
    const wave = Math.min(size, total - placed);
    sizes.push(wave);
    placed += wave;
    size = Math.max(size + 1, Math.ceil(size * growth));
  }
  return sizes;
}

/**
 * Staged installs of an APK over an account's devices: a small first wave, then waves growing
 * while each wave's failed share (failed or expired installs) stays at or under the threshold;
 * a wave above it halts the rollout with the reason. A draining device is given its install
 * only when it holds no offered job; active devices at once.
 */
export function startRollouts(
  db: Kysely<FleetTables>,
  commands: Pick<VmCommandHub, 'create'>,
  tickMs = 1_000,
) {
  async function counts(rolloutId: string) {
    const rows = await db
      .selectFrom('rollout_devices')
      .leftJoin('vm_commands', 'vm_commands.id', 'rollout_devices.command_id')
      .select(['rollout_devices.wave', 'vm_commands.state', (eb) => eb.fn.countAll<string>().as('n')])
      .where('rollout_devices.rollout_id', '=', rolloutId)
      .groupBy(['rollout_devices.wave', 'vm_commands.state'])
      .execute();
    return rows.map((row) => ({ wave: row.wave, state: row.state ?? 'waiting', n: Number(row.n) }));
  }

  async function view(row: RolloutRow): Promise<fleet.Rollout> {
    const all = await counts(row.id);
    const sum = (states: string[]) =>
      all.filter((c) => states.includes(c.state)).reduce((a, c) => a + c.n, 0);
    return {
      rolloutId: row.id,
      accountId: row.account_id,
      apkUrl: row.apk_url,
      apkSha256: row.apk_sha256,
      state: row.state,
      reason: row.reason,
      wave: row.wave,
      devicesTotal: all.reduce((a, c) => a + c.n, 0),
      devicesSucceeded: sum(['succeeded']),
      devicesFailed: sum(['failed', 'expired']),
      devicesInProgress: sum(['pending', 'sent']),
      firstWaveShare: row.first_wave_share,
      growth: row.growth,
      maxFailureRate: row.max_failure_rate,
      createdAtMs: String(row.created_at.getTime()),
      finishedAtMs: row.finished_at ? String(row.finished_at.getTime()) : '0',
    };
  }

  /**
   * One step of one rollout: give the current wave's devices their installs, or judge the wave
   * and move on. Each device is claimed (its command id written first) before its command is
   * made, and the wave moves only from the value read, so two replicas never install twice.
   */
  async function advance(rolloutId: string): Promise<void> {
    const rollout = await db
      .selectFrom('rollouts')
      .selectAll()
      .where('id', '=', rolloutId)
      .where('state', '=', 'running')
      .executeTakeFirst();
    if (!rollout) return;
    const waiting = await db
      .selectFrom('rollout_devices')
      .innerJoin('devices', 'devices.id', 'rollout_devices.device_id')
      .select(['rollout_devices.device_id', 'devices.admin_state'])
      .where('rollout_devices.rollout_id', '=', rollout.id)
      .where('rollout_devices.wave', '=', rollout.wave)
      .where('rollout_devices.command_id', 'is', null)
      .execute();
    for (const device of waiting) {
      if (device.admin_state === 'draining' && (await busy(device.device_id))) continue;
      const commandId = prefixedId('vmCommand');
      const claimed = await db
        .updateTable('rollout_devices')
        .set({ command_id: commandId })
        .where('rollout_id', '=', rollout.id)
        .where('device_id', '=', device.device_id)
        .where('command_id', 'is', null)
        .returning('device_id')
        .executeTakeFirst();
      if (!claimed) continue;
      try {
        await commands.create({
          commandId,
          deviceId: device.device_id,
          action: fleet.VmAction.VM_ACTION_INSTALL_APK,
          apkUrl: rollout.apk_url,
          apkSha256: rollout.apk_sha256,
          requestedBy: `rollout ${rollout.id}`,
          rolloutId: rollout.id,
        });
      } catch (error) {
        log.warn(
          { err: error, rolloutId: rollout.id, deviceId: device.device_id },
          'rollout install not made; retried',
        );
        await db
          .updateTable('rollout_devices')
          .set({ command_id: null })
          .where('rollout_id', '=', rollout.id)
          .where('device_id', '=', device.device_id)
          .execute();
      }
    }
    const wave = (await counts(rollout.id)).filter((c) => c.wave === rollout.wave);
    const total = (states: string[]) =>
      wave.filter((c) => states.includes(c.state)).reduce((a, c) => a + c.n, 0);
    if (total(['waiting', 'pending', 'sent']) > 0) return;
    const size = total(['succeeded', 'failed', 'expired']);
    const failed = total(['failed', 'expired']);
    const rate = size === 0 ? 0 : failed / size;
    const current = () =>
      db
        .updateTable('rollouts')
        .where('id', '=', rollout.id)
        .where('state', '=', 'running')
        .where('wave', '=', rollout.wave);
    if (rate > rollout.max_failure_rate) {
      const reason = `wave ${rollout.wave}: ${failed} of ${size} installs failed (${Math.round(rate * 100)} % > ${Math.round(rollout.max_failure_rate * 100)} %)`;
      await current().set({ state: 'halted', reason, finished_at: new Date() }).execute();
      log.warn({ rolloutId: rollout.id, wave: rollout.wave, failed, size }, 'rollout halted');
      return;
    }
    const more = await db
      .selectFrom('rollout_devices')
      .select('wave')
      .where('rollout_id', '=', rollout.id)
      .where('wave', '>', rollout.wave)
      .limit(1)
      .executeTakeFirst();
    if (more)
      await current()
        .set({ wave: rollout.wave + 1 })
        .execute();
    else
      await current()
        .set({ state: 'completed', reason: `${rollout.wave} wave(s) installed`, finished_at: new Date() })
        .execute();
  }

  /** A device with a job offered to it is not idle. */
  async function busy(deviceId: string): Promise<boolean> {
    const offered = await db
      .selectFrom('jobs')
      .select(sql`1`.as('one'))
      .where('device_id', '=', deviceId)
      .where('state', '=', 'offered')
      .limit(1)
      .executeTakeFirst();
    return offered !== undefined;
  }

  async function tick(): Promise<void> {
    const running = await db.selectFrom('rollouts').select('id').where('state', '=', 'running').execute();
    // Several steps per tick, so a wave whose installs all finished moves on without waiting a tick.
    for (const { id } of running) {
      for (let step = 0; step < 3; step++) await advance(id);
    }
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();
  const loop = () => {
    ticking = tick()
      .catch((error) => log.warn({ err: error }, 'rollout tick failed'))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, tickMs);
      });
  };
  timer = setTimeout(loop, tickMs);

  return {
    async create(request: fleet.CreateRolloutRequest): Promise<fleet.Rollout> {
      const apkSha256 = request.apkSha256.toLowerCase();
      checkApkSource(request.apkUrl, apkSha256);
      const share = request.firstWaveShare || rolloutDefaults.firstWaveShare;
      const growth = request.growth || rolloutDefaults.growth;
      const maxFailureRate = request.maxFailureRate || rolloutDefaults.maxFailureRate;
      if (!(share > 0 && share <= 1))
        throw new DomainError(ErrorKey.Invalid, 'firstWaveShare must be over 0 and at most 1');
      if (!(growth > 1 && growth <= 100))
        throw new DomainError(ErrorKey.Invalid, 'growth must be over 1 and at most 100');
      if (!(maxFailureRate > 0 && maxFailureRate < 1))
        throw new DomainError(ErrorKey.Invalid, 'maxFailureRate must be between 0 and 1');
      const devices = await db
        .selectFrom('devices')
        .select('id')
        .where('account_id', '=', request.accountId)
        .orderBy('id')
        .execute();
      if (devices.length === 0)
        throw new DomainError(ErrorKey.Conflict, 'the account has no devices to install on');
      const id = prefixedId('rollout');
      const sizes = waveSizes(devices.length, share, growth);
      const row = await db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('rollouts')
          .values({
            id,
            account_id: request.accountId,
            apk_url: request.apkUrl,
            apk_sha256: apkSha256,
            state: 'running',
            first_wave_share: share,
            growth,
            max_failure_rate: maxFailureRate,
            requested_by: request.requestedBy || 'api',
            finished_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const waveOf: number[] = sizes.flatMap((size, index) => Array<number>(size).fill(index + 1));
        const rows = devices.map((device, index) => ({
          rollout_id: id,
          device_id: device.id,
          wave: waveOf[index]!,
          command_id: null,
        }));
        for (let i = 0; i < rows.length; i += 1_000) {
          await trx
            .insertInto('rollout_devices')
            .values(rows.slice(i, i + 1_000))
            .execute();
        }
        return inserted;
      });
      await advance(id);
      return view(
        (await db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst()) ?? row,
      );
    },

    async get(request: fleet.GetRolloutRequest): Promise<fleet.Rollout> {
      const row = await db
        .selectFrom('rollouts')
        .selectAll()
        .where('id', '=', request.rolloutId)
        .where('account_id', 'in', request.accountIds.length > 0 ? request.accountIds : ['\u0001none'])
        .executeTakeFirst();
      if (!row)
        throw new DomainError(ErrorKey.NotFound, `no rollout "${request.rolloutId}" in this account's tree`);
      return view(row);
    },

    /** Advances every running rollout now (tests; the timer does it every tick). */
    tick,

    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await ticking;
    },
  };
}
