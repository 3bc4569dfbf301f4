import type { SimDriver } from '../drivers/sim/sim-driver.js';
import type { SimVm } from '../drivers/sim/sim-vm.js';
import { VmNotFoundError, type VmProvider, vmOperations } from './vm-provider.js';

/** The sim phones' VMs behind the provider interface, so fleet commands work on `npm start`. */
export function createSimProvider(drivers: readonly SimDriver[]): VmProvider {
  const byKey = new Map(drivers.map((driver) => [driver.info.deviceKey, driver.vm]));
  const vmOf = (vmKey: string): SimVm => {
    const vm = byKey.get(vmKey);
    if (!vm) throw new VmNotFoundError(vmKey);
    return vm;
  };
  return {
    kind: 'sim',
    supports: new Set(vmOperations),
    list: async () => [...byKey].map(([vmKey, vm]) => ({ vmKey, state: vm.state() })),
    health: async (vmKey) => ({ vmKey, state: vmOf(vmKey).state() }),
    start: async (vmKey) => vmOf(vmKey).start(),
    stop: async (vmKey) => vmOf(vmKey).stop(),
    restart: async (vmKey) => vmOf(vmKey).restart(),
    // Android inside a sim VM is the VM: a reboot is a restart.
    rebootAndroid: async (vmKey) => vmOf(vmKey).restart(),
    saveSnapshot: async (vmKey, name) => vmOf(vmKey).saveSnapshot(name),
    restoreSnapshot: async (vmKey, name) => vmOf(vmKey).restoreSnapshot(name),
    installApk: async (vmKey, apkPath) => vmOf(vmKey).installApk(apkPath),
    screenshot: async (vmKey) => vmOf(vmKey).screenshot(),
  };
}
