import { statfs } from 'node:fs/promises';
import { availableParallelism, freemem, loadavg, totalmem } from 'node:os';
import type { fleet } from '@wagate/contracts';
import type { VmProvider } from '../providers/vm-provider.js';

/**
 * What the fleet shows of this host (GET /v1/agents): its VMs, and the CPU, memory and disk
 * the operating system reports. `vmCapacity` is how many VMs the host's budget holds.
 */
export async function hostReport(
  provider: VmProvider,
  vmCapacity: number,
  diskPath = process.cwd(),
): Promise<fleet.HostReport> {
  const [vms, disk] = await Promise.all([provider.list(), statfs(diskPath).catch(() => undefined)]);
  return {
    provider: provider.kind,
    vmsTotal: vms.length,
    vmsRunning: vms.filter((vm) => vm.state !== 'stopped').length,
    vmCapacity,
    cpuCores: availableParallelism(),
    loadAverage1m: loadavg()[0] ?? 0,
    memoryTotalBytes: String(totalmem()),
    memoryFreeBytes: String(freemem()),
    diskTotalBytes: String(disk ? disk.blocks * disk.bsize : 0),
    diskFreeBytes: String(disk ? disk.bavail * disk.bsize : 0),
  };
}
