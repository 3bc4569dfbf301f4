import { createLogger } from '@wagate/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimDrivers } from '../../src/drivers/sim/sim-drivers.js';
import { bootVms } from '../../src/providers/boot-vms.js';
import { type VmBudget, VmCapacityError, vmCapacity, withCapacity } from '../../src/providers/capacity.js';
import { readConfig } from '@wagate/config';
import { openHostVms, readVmConfig, vmVariables } from '../../src/providers/provider-config.js';
import { createSimProvider } from '../../src/providers/sim-provider.js';
import { createFakeVmHost, type FakeVmHost } from '../support/fake-vm-host.js';

/** The VM settings of an agent started with `env` as its environment. */
const vmConfigFrom = (env: Record<string, string>) => readVmConfig(readConfig(vmVariables, env));

const budget = (hostCpus: number, hostMemoryMb: number): VmBudget => ({
  cpusPerVm: 2,
  memoryMbPerVm: 3_072,
  hostCpus,
  hostMemoryMb,
});

describe('VM capacity', () => {
  it('is what both the CPUs and the memory allow', () => {
    expect(vmCapacity(budget(16, 65_536))).toBe(8); // CPU-bound
    expect(vmCapacity(budget(64, 16_384))).toBe(5); // memory-bound
    expect(vmCapacity(budget(1, 65_536))).toBe(0);
  });

  it('a host full of running VMs refuses to start one more, and the VM stays stopped', async () => {
    const drivers = createSimDrivers(3, { vm: { bootMs: 5 } });
    const provider = withCapacity(createSimProvider(drivers), budget(4, 65_536));
    const [a, b, c] = drivers.map((driver) => driver.info.deviceKey) as [string, string, string];
    for (const key of [a, b, c]) await provider.stop(key);
    await provider.start(a);
    await provider.start(b);
    const refused = await provider.start(c).catch((error) => error);
    expect(refused).toBeInstanceOf(VmCapacityError);
    expect(refused.message).toMatch(/holds 2 VM\(s\).*and 2 run/);
    expect(await provider.health(c)).toEqual({ vmKey: c, state: 'stopped' });
    // A restart keeps a running VM running: not one more.
    await provider.restart(a);
    expect(await provider.health(a)).toEqual({ vmKey: a, state: 'running' });
    await Promise.all(drivers.map((driver) => driver.close()));
  });

  describe('at the agent start', () => {
    let host: FakeVmHost | undefined;
    const originalPath = process.env.PATH;
    afterEach(async () => {
      process.env.PATH = originalPath;
      await host?.remove();
    });

    it('boots the stopped emulators up to the budget and leaves the rest stopped', async () => {
      host = await createFakeVmHost({ avds: ['wa1', 'wa2', 'wa3'] });
      process.env.PATH = `${host.binDir}:${originalPath}`;
      const config = vmConfigFrom({
        WAGATE_VM_PROVIDER: 'emulator',
        WAGATE_EMULATOR_AVDS: 'wa1@5554,wa2@5556,wa3@5558',
        WAGATE_VM_CPUS: '4',
        WAGATE_VM_MEMORY_MB: '4096',
        WAGATE_HOST_CPUS: '8',
        WAGATE_HOST_MEMORY_MB: '65536',
      });
      const vms = openHostVms(config, 'adb', { keys: [] });
      expect(vms.vmCapacity).toBe(2);
      const logger = createLogger('capacity-test');
      logger.level = 'silent';
      await bootVms(vms.provider, logger);
      const started = (await host.commands()).filter((command) => command.startsWith('emulator '));
      expect(started).toEqual([
        'emulator -avd wa1 -port 5554 -no-window -no-audio -no-boot-anim',
        'emulator -avd wa2 -port 5556 -no-window -no-audio -no-boot-anim',
      ]);
      expect(await vms.provider.list()).toEqual([
        { vmKey: 'emulator-5554', state: 'running' },
        { vmKey: 'emulator-5556', state: 'running' },
        { vmKey: 'emulator-5558', state: 'stopped' },
      ]);
    });
  });

  it('is not counted for sim phones and unmanaged devices', () => {
    const config = vmConfigFrom({ WAGATE_HOST_CPUS: '1' });
    expect(openHostVms(config, 'sim', { sim: [], keys: [] }).vmCapacity).toBe(0);
    expect(openHostVms(config, 'adb', { keys: ['emulator-5554'] }).vmCapacity).toBe(0);
  });
});
