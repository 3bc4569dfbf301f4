import { runCli } from '../cli.js';
import { type AndroidVmOptions, createAndroidVm } from './android-vm.js';
import {
  checkSnapshotName,
  unsupportedOperations,
  VmNotFoundError,
  type VmOperation,
  type VmProvider,
} from './vm-provider.js';

/** A program and its arguments; `{vmKey}` and `{snapshot}` in an argument are replaced. */
export type CommandTemplate = string[];

export interface CommandProviderOptions extends AndroidVmOptions {
  vmKeys: string[];
  /** The site's own commands, run on the agent's host; restart is required, the others optional. */
  commands: {
    restart: CommandTemplate;
    start?: CommandTemplate;
    stop?: CommandTemplate;
    saveSnapshot?: CommandTemplate;
    restoreSnapshot?: CommandTemplate;
  };
  /** Per command. */
  commandTimeoutMs?: number;
}

/** `WAGATE_VM_COMMAND_RESTART="/usr/local/bin/restart-vm --serial {vmKey}"` → argv, split on whitespace. */
export function parseCommandTemplate(text: string): CommandTemplate {
  return text
    .trim()
    .split(/\s+/)
    .filter((part) => part.length > 0);
}

/**
 * VMs run by the site's own tooling (the old recovery hook, moved from the fleet host to the
 * host the VMs live on): each lifecycle operation runs a configured command with execFile,
 * never a shell; rebooting Android, installing and screenshots go through adb.
 */
export function createCommandProvider(options: CommandProviderOptions): VmProvider {
  const android = createAndroidVm(options);
  const keys = new Set(options.vmKeys);
  const timeoutMs = options.commandTimeoutMs ?? 120_000;
  const { commands } = options;
  const lifecycle = (['start', 'stop', 'restart', 'saveSnapshot', 'restoreSnapshot'] as const).filter(
    (operation) => commands[operation] !== undefined,
  );
  const supported: VmOperation[] = [...lifecycle, 'rebootAndroid', 'installApk', 'screenshot'];

  function known(vmKey: string): void {
    if (!keys.has(vmKey)) throw new VmNotFoundError(vmKey);
  }

  async function run(template: CommandTemplate, vmKey: string, snapshot = ''): Promise<void> {
    known(vmKey);
    const [file, ...args] = template.map((part) =>
      part.replaceAll('{vmKey}', vmKey).replaceAll('{snapshot}', snapshot),
    );
    if (!file) throw new Error('empty VM command');
    await runCli(file, args, { timeoutMs });
  }

  const operations: Partial<VmProvider> = {};
  if (commands.start) {
    const template = commands.start;
    operations.start = async (vmKey) => {
      await run(template, vmKey);
      await android.waitForBoot(vmKey);
    };
  }
  if (commands.stop) {
    const template = commands.stop;
    operations.stop = (vmKey) => run(template, vmKey);
  }
  if (commands.saveSnapshot) {
    const template = commands.saveSnapshot;
    operations.saveSnapshot = async (vmKey, name) => run(template, vmKey, checkSnapshotName(name));
  }
  if (commands.restoreSnapshot) {
    const template = commands.restoreSnapshot;
    operations.restoreSnapshot = async (vmKey, name) => {
      await run(template, vmKey, checkSnapshotName(name));
      await android.waitForBoot(vmKey);
    };
  }

  return {
    kind: 'command',
    supports: new Set(supported),
    ...unsupportedOperations('command', supported),
    ...operations,
    async list() {
      return Promise.all([...keys].map(async (vmKey) => ({ vmKey, state: await android.state(vmKey) })));
    },
    async health(vmKey) {
      known(vmKey);
      return { vmKey, state: await android.state(vmKey) };
    },
    async restart(vmKey) {
      await run(commands.restart, vmKey);
      await android.waitForBoot(vmKey);
    },
    async rebootAndroid(vmKey) {
      known(vmKey);
      await android.reboot(vmKey);
      await android.waitForBoot(vmKey);
    },
    async installApk(vmKey, apkPath) {
      known(vmKey);
      await android.install(vmKey, apkPath);
    },
    async screenshot(vmKey) {
      known(vmKey);
      return android.screenshot(vmKey);
    },
  };
}
