import type { Logger } from '@wagate/telemetry';
import type { VmProvider } from './vm-provider.js';

/**
 * Starts this host's stopped VMs, one at a time (booting several Android VMs at once starves
 * the host), before the drivers look at them. A VM that will not start is logged and left:
 * its device is missing from the hello, the others serve.
 */
export async function bootVms(provider: VmProvider, log: Logger): Promise<void> {
  for (const vm of await provider.list()) {
    if (vm.state === 'running') continue;
    log.info({ vmKey: vm.vmKey, state: vm.state }, 'starting VM');
    try {
      await provider.start(vm.vmKey);
    } catch (error) {
      log.error({ err: error, vmKey: vm.vmKey }, 'VM did not start');
    }
  }
}
