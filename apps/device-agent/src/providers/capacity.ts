import { availableParallelism, totalmem } from 'node:os';
import type { VmProvider } from './vm-provider.js';

/** What one VM is given, and what the host has to give. */
export interface VmBudget {
  cpusPerVm: number;
  memoryMbPerVm: number;
  hostCpus: number;
  hostMemoryMb: number;
}

/** The machine's own CPUs and memory, for a budget that does not set them. */
export function machineResources(): Pick<VmBudget, 'hostCpus' | 'hostMemoryMb'> {
  return { hostCpus: availableParallelism(), hostMemoryMb: Math.floor(totalmem() / 1024 / 1024) };
}

/** How many VMs the host holds: as many as both its CPUs and its memory allow. */
export function vmCapacity(budget: VmBudget): number {
  return Math.max(
    0,
    Math.floor(Math.min(budget.hostCpus / budget.cpusPerVm, budget.hostMemoryMb / budget.memoryMbPerVm)),
  );
}

/** Starting one more VM would take the host over its budget. */
export class VmCapacityError extends Error {
  override name = 'VmCapacityError';
}

/**
 * The provider, refusing to start a VM when as many as the host holds already run (or boot).
 * Restarts, reboots and restores keep a running VM running, so they are not counted again.
 */
export function withCapacity(provider: VmProvider, budget: VmBudget): VmProvider {
  const capacity = vmCapacity(budget);
  return {
    ...provider,
    async start(vmKey) {
      const vms = await provider.list();
      const target = vms.find((vm) => vm.vmKey === vmKey);
      const running = vms.filter((vm) => vm.state !== 'stopped').length;
      if (target?.state === 'stopped' && running >= capacity) {
        throw new VmCapacityError(
          `${vmKey} not started: this host holds ${capacity} VM(s) (${budget.hostCpus} CPUs and ${budget.hostMemoryMb} MB, ` +
            `${budget.cpusPerVm} CPUs and ${budget.memoryMbPerVm} MB per VM) and ${running} run`,
        );
      }
      return provider.start(vmKey);
    },
  };
}
