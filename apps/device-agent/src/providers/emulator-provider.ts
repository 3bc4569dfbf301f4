import { spawn } from 'node:child_process';
import { type AndroidVm, type AndroidVmOptions, createAndroidVm } from './android-vm.js';
import { checkSnapshotName, VmNotFoundError, type VmProvider, vmOperations } from './vm-provider.js';

export interface EmulatorVm {
  /** The AVD's name, as `emulator -list-avds` shows it. */
  avd: string;
  /** Its console port (even, 5554-5682): adb sees it as `emulator-<port>`. */
  port: number;
}

export interface EmulatorProviderOptions extends AndroidVmOptions {
  vms: EmulatorVm[];
  /** The emulator binary: a name looked up on PATH, or a path. */
  emulatorPath?: string;
  /** More arguments for every start, e.g. `-gpu swiftshader_indirect`. */
  extraArgs?: string[];
}

export const emulatorSerial = (port: number) => `emulator-${port}`;

/**
 * Android SDK emulators on this host: started headless (`emulator -avd NAME -no-window`),
 * stopped and snapshotted through their console (`adb emu kill`, `adb emu avd snapshot
 * save|load NAME`). A VM's key is its adb serial, `emulator-<port>`.
 */
export function createEmulatorProvider(options: EmulatorProviderOptions): VmProvider {
  const android: AndroidVm = createAndroidVm(options);
  const emulatorPath = options.emulatorPath ?? 'emulator';
  const byKey = new Map(options.vms.map((vm) => [emulatorSerial(vm.port), vm]));

  function vmOf(vmKey: string): EmulatorVm {
    const vm = byKey.get(vmKey);
    if (!vm) throw new VmNotFoundError(vmKey);
    return vm;
  }

  async function start(vmKey: string): Promise<void> {
    const vm = vmOf(vmKey);
    if ((await android.state(vmKey)) === 'stopped') {
      // The emulator runs in the foreground for as long as the VM lives: leave it running on
      // its own, and know it has started when adb sees it boot.
      const child = spawn(
        emulatorPath,
        [
          '-avd',
          vm.avd,
          '-port',
          String(vm.port),
          '-no-window',
          '-no-audio',
          '-no-boot-anim',
          ...(options.extraArgs ?? []),
        ],
        { detached: true, stdio: 'ignore' },
      );
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      child.unref();
    }
    await android.waitForBoot(vmKey);
  }

  async function stop(vmKey: string): Promise<void> {
    vmOf(vmKey);
    if ((await android.state(vmKey)) === 'stopped') return;
    await android.emu(vmKey, ['kill']);
    await android.waitForGone(vmKey);
  }

  return {
    kind: 'emulator',
    supports: new Set(vmOperations),
    async list() {
      return Promise.all(
        [...byKey.keys()].map(async (vmKey) => ({ vmKey, state: await android.state(vmKey) })),
      );
    },
    async health(vmKey) {
      vmOf(vmKey);
      return { vmKey, state: await android.state(vmKey) };
    },
    start,
    stop,
    async restart(vmKey) {
      await stop(vmKey);
      await start(vmKey);
    },
    async rebootAndroid(vmKey) {
      vmOf(vmKey);
      await android.reboot(vmKey);
      await android.waitForBoot(vmKey);
    },
    async saveSnapshot(vmKey, name) {
      vmOf(vmKey);
      await android.emu(vmKey, ['avd', 'snapshot', 'save', checkSnapshotName(name)]);
    },
    async restoreSnapshot(vmKey, name) {
      vmOf(vmKey);
      await android.emu(vmKey, ['avd', 'snapshot', 'load', checkSnapshotName(name)]);
      await android.waitForBoot(vmKey);
    },
    async installApk(vmKey, apkPath) {
      vmOf(vmKey);
      await android.install(vmKey, apkPath);
    },
    async screenshot(vmKey) {
      vmOf(vmKey);
      return android.screenshot(vmKey);
    },
  };
}
