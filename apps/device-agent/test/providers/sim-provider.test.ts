import { describe, expect, it } from 'vitest';
import { createSimDriver } from '../../src/drivers/sim/sim-driver.js';
import { createSimDrivers } from '../../src/drivers/sim/sim-drivers.js';
import { createSimProvider } from '../../src/providers/sim-provider.js';
import { describeVmProviderContract } from './vm-provider-contract.js';

describeVmProviderContract('sim', async () => {
  const drivers = createSimDrivers(2, { vm: { bootMs: 20 } });
  const vms = new Map(drivers.map((driver) => [driver.info.deviceKey, driver.vm]));
  return {
    provider: createSimProvider(drivers),
    vmKey: drivers[1]!.info.deviceKey,
    installed: async (vmKey) => vms.get(vmKey)!.installed(),
    boots: async (vmKey) => vms.get(vmKey)!.boots(),
    close: async () => {
      await Promise.all(drivers.map((driver) => driver.close()));
    },
  };
});

describe('a sim VM restart', () => {
  it('takes the phone away until it has booted: heartbeats fail and a send waits for it', async () => {
    const driver = createSimDriver({ vm: { bootMs: 300 } });
    const provider = createSimProvider([driver]);
    const key = driver.info.deviceKey;
    const restarted = provider.restart(key);
    expect(await provider.health(key)).toEqual({ vmKey: key, state: 'booting' });
    await expect(driver.heartbeat()).rejects.toThrow(/booting/);

    let sentWhileAway = false;
    const send = driver
      .send({ jobId: 'j1', messageId: 'm1', recipient: '79991112233', text: 'hi' })
      .then((outcome) => {
        sentWhileAway = driver.vm.state() !== 'running';
        return outcome;
      });
    await restarted;
    expect(await send).toMatchObject({ sent: true });
    expect(sentWhileAway).toBe(false);
    await expect(driver.heartbeat()).resolves.toMatchObject({ networkUp: true });
    await driver.close();
  });
});
