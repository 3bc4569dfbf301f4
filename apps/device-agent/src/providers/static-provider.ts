import { type AndroidVmOptions, createAndroidVm } from './android-vm.js';
import { unsupportedOperations, VmNotFoundError, type VmOperation, type VmProvider } from './vm-provider.js';

export interface StaticProviderOptions extends AndroidVmOptions {
  /** The devices' keys (adb serials). */
  vmKeys: string[];
  /** False for phones adb cannot reach (the automation driver's): then only list and health. */
  adb?: boolean;
}

const throughAdb: VmOperation[] = ['rebootAndroid', 'installApk', 'screenshot'];

/**
 * Phones or VMs the agent does not manage (something else starts them, as before VM
 * providers existed): it cannot start, stop, restart or snapshot them, but it can still
 * reboot Android, install an APK and take a screenshot through adb.
 */
export function createStaticProvider(options: StaticProviderOptions): VmProvider {
  const useAdb = options.adb ?? true;
  const android = createAndroidVm(options);
  const keys = new Set(options.vmKeys);
  const supported = useAdb ? throughAdb : [];
  const known = (vmKey: string) => {
    if (!keys.has(vmKey)) throw new VmNotFoundError(vmKey);
  };
  // Without adb there is nothing to ask: an unmanaged phone is taken to be running.
  const state = async (vmKey: string) => (useAdb ? android.state(vmKey) : ('running' as const));

  return {
    kind: 'static',
    supports: new Set(supported),
    ...unsupportedOperations('static', supported),
    async list() {
      return Promise.all([...keys].map(async (vmKey) => ({ vmKey, state: await state(vmKey) })));
    },
    async health(vmKey) {
      known(vmKey);
      return { vmKey, state: await state(vmKey) };
    },
    ...(useAdb
      ? {
          async rebootAndroid(vmKey: string) {
            known(vmKey);
            await android.reboot(vmKey);
            await android.waitForBoot(vmKey);
          },
          async installApk(vmKey: string, apkPath: string) {
            known(vmKey);
            await android.install(vmKey, apkPath);
          },
          async screenshot(vmKey: string) {
            known(vmKey);
            return android.screenshot(vmKey);
          },
        }
      : {}),
  };
}
