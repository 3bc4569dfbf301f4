import { fleet } from '@wagate/contracts';
import type { Logger } from '@wagate/telemetry';
import { BoundedMap } from '../bounded-map.js';
import { SerialQueue } from '../drivers/serial-queue.js';
import type { VmProvider } from '../providers/vm-provider.js';
import { type ApkFetchOptions, fetchApk } from './fetch-apk.js';

export interface VmCommandsOptions {
  provider: VmProvider;
  /** The device key (VM key) of a device id the fleet registered on this stream. */
  deviceKeyOf(deviceId: string): string | undefined;
  /** Hands a result to the stream (kept until the fleet has it). */
  report(result: fleet.VmCommandResult): void;
  apk?: ApkFetchOptions;
  /** Finished commands remembered, to answer a command the fleet sends again after a reconnect. */
  remember?: number;
  logger: Logger;
}

export interface VmCommands {
  receive(command: fleet.VmCommand): void;
  /** Resolves once every command started has finished. */
  idle(): Promise<void>;
}

/** Over gRPC's default message limit (4 MiB) with the rest of the message: refused, not sent. */
const maxScreenshotBytes = 3.5 * 1024 * 1024;

/**
 * Runs the fleet's VM commands on this host's provider: each command id once (a repeat after
 * a reconnect is answered from memory, or ignored while it runs), one command at a time per
 * VM, none started after its deadline.
 */
export function createVmCommands(options: VmCommandsOptions): VmCommands {
  const log = options.logger;
  const finished = new BoundedMap<string, fleet.VmCommandResult>(options.remember ?? 10_000);
  const running = new Set<string>();
  const lanes = new Map<string, SerialQueue>();
  const inFlight = new Set<Promise<void>>();

  function laneOf(vmKey: string): SerialQueue {
    let lane = lanes.get(vmKey);
    if (!lane) {
      lane = new SerialQueue();
      lanes.set(vmKey, lane);
    }
    return lane;
  }

  async function perform(command: fleet.VmCommand, vmKey: string): Promise<Buffer | undefined> {
    const { provider } = options;
    switch (command.action) {
      case fleet.VmAction.VM_ACTION_RESTART_VM:
        await provider.restart(vmKey);
        return undefined;
      case fleet.VmAction.VM_ACTION_REBOOT_ANDROID:
        await provider.rebootAndroid(vmKey);
        return undefined;
      case fleet.VmAction.VM_ACTION_RESTORE_SNAPSHOT:
        await provider.restoreSnapshot(vmKey, command.snapshot);
        return undefined;
      case fleet.VmAction.VM_ACTION_INSTALL_APK: {
        const remaining = Number(command.deadlineMs) - Date.now();
        const apk = await fetchApk(
          command.apkUrl,
          command.apkSha256,
          AbortSignal.timeout(Math.max(1, remaining)),
          options.apk,
        );
        try {
          await provider.installApk(vmKey, apk.path);
        } finally {
          await apk.remove();
        }
        return undefined;
      }
      case fleet.VmAction.VM_ACTION_SCREENSHOT: {
        const png = await provider.screenshot(vmKey);
        if (png.length > maxScreenshotBytes)
          throw new Error(`the screenshot is ${png.length} bytes, over ${maxScreenshotBytes}`);
        return png;
      }
      default:
        throw new Error(`unknown VM action ${command.action}`);
    }
  }

  async function run(command: fleet.VmCommand): Promise<fleet.VmCommandResult> {
    const vmKey = options.deviceKeyOf(command.deviceId);
    if (vmKey === undefined) throw new Error(`device ${command.deviceId} is not on this agent's stream`);
    return laneOf(vmKey).run(async () => {
      if (Date.now() > Number(command.deadlineMs))
        throw new Error('its deadline passed before the agent could start it');
      log.info(
        {
          commandId: command.commandId,
          deviceId: command.deviceId,
          vmKey,
          action: fleet.vmActionToJSON(command.action),
        },
        'VM command started',
      );
      const png = await perform(command, vmKey);
      return result(command, true, '', png);
    });
  }

  return {
    receive(command) {
      const done = finished.get(command.commandId);
      if (done) {
        // The fleet missed the result (the stream broke): answer again, never run twice.
        options.report(done);
        return;
      }
      if (running.has(command.commandId)) return;
      running.add(command.commandId);
      const job = run(command)
        .catch((error: Error) => {
          log.warn({ commandId: command.commandId, err: error }, 'VM command failed');
          return result(command, false, error.message);
        })
        .then((outcome) => {
          finished.set(command.commandId, outcome);
          running.delete(command.commandId);
          options.report(outcome);
        })
        .finally(() => inFlight.delete(job));
      inFlight.add(job);
    },
    async idle() {
      await Promise.allSettled([...inFlight]);
    },
  };
}

function result(command: fleet.VmCommand, ok: boolean, error: string, png?: Buffer): fleet.VmCommandResult {
  return {
    commandId: command.commandId,
    deviceId: command.deviceId,
    ok,
    error,
    screenshotPng: png ?? Buffer.alloc(0),
    finishedAtMs: String(Date.now()),
  };
}
