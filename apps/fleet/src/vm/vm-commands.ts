import { checkOutboundUrl } from '@wagate/config';
import type { fleet } from '@wagate/contracts';
import { prefixedId } from '@wagate/ids';
import { DomainError, ErrorKey } from '@wagate/errors';
import { createLogger } from '@wagate/telemetry';
import type { Kysely, Selectable } from 'kysely';
import type { FleetTables, VmCommandState, VmCommandsTable } from '../db/tables.js';
import { recordDeviceChange } from '../health/device-history.js';
import { isKnownVmAction, vmActionOf, vmActions } from './vm-actions.js';

const log = createLogger('fleet:vm-commands');

type CommandRow = Selectable<VmCommandsTable>;

export interface NewVmCommand {
  /** Given when the caller claimed the id first (a rollout); made here otherwise. */
  commandId?: string;
  deviceId: string;
  action: fleet.VmAction;
  snapshot?: string;
  apkUrl?: string;
  apkSha256?: string;
  /** 0 or absent: the action's default. */
  timeoutMs?: number;
  requestedBy: string;
  rolloutId?: string;
}

export interface VmCommandHubOptions {
  /** How often this process looks for commands made elsewhere and for deadlines passed. */
  pollMs?: number;
  /** A change was recorded (an event is in the outbox). */
  onRecorded(): void;
  /** A command reached an outcome (rollouts count them). */
  onFinished?(row: CommandRow): void;
}

const finished: VmCommandState[] = ['succeeded', 'failed', 'expired'];
const maxTimeoutMs = 60 * 60_000;

/**
 * VM commands for the agents' devices: kept in `vm_commands` until the agent reports an
 * outcome or the deadline passes. The process that holds an agent's stream sends it the
 * agent's pending commands (at once when made here, else on its next poll), and every
 * unfinished one again when the agent reconnects; the agent runs each id once.
 */
export function startVmCommandHub(db: Kysely<FleetTables>, options: VmCommandHubOptions) {
  const streams = new Map<string, { deviceIds: Set<string>; send(command: fleet.VmCommand): void }>();
  const pollMs = options.pollMs ?? 1_000;

  function toMessage(row: CommandRow): fleet.VmCommand {
    return {
      commandId: row.id,
      deviceId: row.device_id,
      action: vmActionOf(row.action),
      snapshot: row.snapshot,
      apkUrl: row.apk_url,
      apkSha256: row.apk_sha256,
      deadlineMs: String(row.deadline_at.getTime()),
    };
  }

  /**
   * Sends these agents (those streaming here) their commands in these states, each marked sent
   * first (so only once from `pending`). One query for all of them: a farm has thousands.
   */
  async function deliver(agentIds: string[], states: VmCommandState[]): Promise<void> {
    const here = agentIds.filter((agentId) => streams.has(agentId));
    for (let first = 0; first < here.length; first += 1_000) {
      const rows = await db
        .selectFrom('vm_commands')
        .selectAll()
        .where('agent_id', 'in', here.slice(first, first + 1_000))
        .where('state', 'in', states)
        .where('deadline_at', '>', new Date())
        .orderBy('created_at')
        .execute();
      for (const row of rows) {
        const stream = streams.get(row.agent_id);
        if (!stream?.deviceIds.has(row.device_id)) continue;
        const marked = await db
          .updateTable('vm_commands')
          .set({ state: 'sent', sent_at: new Date() })
          .where('id', '=', row.id)
          .where('state', 'in', states)
          .returning('id')
          .executeTakeFirst();
        if (marked && streams.get(row.agent_id) === stream) stream.send(toMessage(row));
      }
    }
  }

  async function finish(row: CommandRow, state: VmCommandState, error: string, screenshot?: Buffer) {
    const done = await db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('vm_commands')
        .set({ state, error, finished_at: new Date(), screenshot: screenshot ?? null })
        .where('id', '=', row.id)
        .where('state', 'not in', finished)
        .returningAll()
        .executeTakeFirst();
      if (!updated) return undefined;
      await recordDeviceChange(trx, {
        deviceId: row.device_id,
        accountId: row.account_id,
        change: 'command',
        from: row.action,
        to: state,
        reason: `${row.id}${error ? `: ${error}` : ''}`,
      });
      return updated;
    });
    if (done) {
      options.onRecorded();
      options.onFinished?.(done);
    }
    return done;
  }

  /** Deadlines passed: expired, once (whichever replica gets there first). */
  async function expireOverdue(now = new Date()): Promise<void> {
    const overdue = await db
      .selectFrom('vm_commands')
      .selectAll()
      .where('state', 'in', ['pending', 'sent'])
      .where('deadline_at', '<=', now)
      .limit(500)
      .execute();
    for (const row of overdue) {
      await finish(
        row,
        'expired',
        row.state === 'pending'
          ? 'the agent was not connected before the deadline'
          : 'no outcome from the agent before the deadline',
      );
    }
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    try {
      await expireOverdue();
      await deliver([...streams.keys()], ['pending']);
    } catch (error) {
      log.warn({ err: error }, 'VM command poll failed');
    }
    if (!stopped) timer = setTimeout(loop, pollMs);
  };
  timer = setTimeout(loop, pollMs);

  return {
    /** Checks and stores a command for a device; the device's account must be given. */
    async create(input: NewVmCommand): Promise<CommandRow> {
      if (!isKnownVmAction(input.action)) throw new DomainError(ErrorKey.Invalid, 'action is required');
      const action = vmActions[input.action];
      const snapshot = input.snapshot ?? '';
      const apkUrl = input.apkUrl ?? '';
      const apkSha256 = (input.apkSha256 ?? '').toLowerCase();
      if (action.name === 'restore_snapshot' && !/^[A-Za-z0-9][\w.-]{0,63}$/.test(snapshot)) {
        throw new DomainError(
          ErrorKey.Invalid,
          'snapshot must be a letter or digit then up to 63 letters, digits, ".", "_" or "-"',
        );
      }
      if (action.name === 'install_apk') checkApkSource(apkUrl, apkSha256);
      const timeoutMs = input.timeoutMs || action.timeoutMs;
      if (timeoutMs < 1_000 || timeoutMs > maxTimeoutMs) {
        throw new DomainError(ErrorKey.Invalid, `timeoutMs must be between 1000 and ${maxTimeoutMs}`);
      }
      const device = await db
        .selectFrom('devices')
        .select(['id', 'agent_id', 'account_id'])
        .where('id', '=', input.deviceId)
        .executeTakeFirst();
      if (!device?.account_id) throw new DomainError(ErrorKey.NotFound, `no device "${input.deviceId}"`);
      const row = await db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('vm_commands')
          .values({
            id: input.commandId ?? prefixedId('vmCommand'),
            device_id: device.id,
            account_id: device.account_id!,
            agent_id: device.agent_id,
            action: action.name,
            snapshot,
            apk_url: apkUrl,
            apk_sha256: apkSha256,
            state: 'pending',
            requested_by: input.requestedBy,
            rollout_id: input.rolloutId ?? null,
            deadline_at: new Date(Date.now() + timeoutMs),
            sent_at: null,
            finished_at: null,
            screenshot: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordDeviceChange(trx, {
          deviceId: device.id,
          accountId: device.account_id,
          change: 'command',
          from: action.name,
          to: 'requested',
          reason: `${inserted.id} by ${input.requestedBy}, deadline ${inserted.deadline_at.toISOString()}`,
        });
        return inserted;
      });
      options.onRecorded();
      await deliver([row.agent_id], ['pending']).catch((error) =>
        log.warn({ err: error }, 'VM command delivery failed'),
      );
      return row;
    },

    async get(commandId: string): Promise<CommandRow | undefined> {
      return db.selectFrom('vm_commands').selectAll().where('id', '=', commandId).executeTakeFirst();
    },

    /** Polls the command until it has an outcome or `waitMs` passed. */
    async waitFor(commandId: string, waitMs: number): Promise<CommandRow | undefined> {
      const giveUpAt = Date.now() + Math.min(waitMs, 60_000);
      for (;;) {
        const row = await this.get(commandId);
        if (!row || finished.includes(row.state) || Date.now() >= giveUpAt) return row;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },

    /**
     * An agent's stream is up here: it gets its unfinished commands now (again, for those sent
     * before a reconnect: the agent answers a repeat from memory). Returns the detach.
     */
    attach(agentId: string, deviceIds: string[], send: (command: fleet.VmCommand) => void): () => void {
      const stream = { deviceIds: new Set(deviceIds), send };
      streams.set(agentId, stream);
      deliver([agentId], ['pending', 'sent']).catch((error) =>
        log.warn({ err: error, agentId }, 'VM command delivery failed'),
      );
      return () => {
        if (streams.get(agentId) === stream) streams.delete(agentId);
      };
    },

    /** The agent's outcome: taken once, and only for a command of that agent and device. */
    async result(agentId: string, result: fleet.VmCommandResult): Promise<void> {
      const row = await db
        .selectFrom('vm_commands')
        .selectAll()
        .where('id', '=', result.commandId)
        .where('agent_id', '=', agentId)
        .where('device_id', '=', result.deviceId)
        .executeTakeFirst();
      if (!row) {
        log.warn(
          { agentId, commandId: result.commandId },
          'result for a VM command this agent was not given dropped',
        );
        return;
      }
      const png =
        result.ok && result.screenshotPng.length > 0 ? Buffer.from(result.screenshotPng) : undefined;
      const done = await finish(
        row,
        result.ok ? 'succeeded' : 'failed',
        result.ok ? '' : result.error || 'failed',
        png,
      );
      if (!done)
        log.info({ commandId: row.id, state: row.state }, 'late or repeated VM command result ignored');
    },

    expireOverdue,

    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type VmCommandHub = ReturnType<typeof startVmCommandHub>;

/** An APK's URL (http/https, no literal private address: the agent checks what it resolves to) and SHA-256. */
export function checkApkSource(apkUrl: string, apkSha256: string): void {
  const check = checkOutboundUrl(apkUrl);
  if (!check.ok) throw new DomainError(ErrorKey.Invalid, `apkUrl: ${check.reason}`);
  if (!/^[\da-f]{64}$/.test(apkSha256))
    throw new DomainError(ErrorKey.Invalid, 'apkSha256 must be 64 hex digits');
}

/** The command as the api shows it. */
export function commandView(row: CommandRow): fleet.DeviceCommand {
  const ms = (date: Date | null) => (date ? String(date.getTime()) : '0');
  return {
    commandId: row.id,
    deviceId: row.device_id,
    action: vmActionOf(row.action),
    state: row.state,
    error: row.error,
    createdAtMs: ms(row.created_at),
    deadlineAtMs: ms(row.deadline_at),
    finishedAtMs: ms(row.finished_at),
    requestedBy: row.requested_by,
    snapshot: row.snapshot,
    apkUrl: row.apk_url,
    apkSha256: row.apk_sha256,
  };
}
