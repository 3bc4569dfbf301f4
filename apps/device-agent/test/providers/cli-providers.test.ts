import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommandProvider } from '../../src/providers/command-provider.js';
import { createEmulatorProvider } from '../../src/providers/emulator-provider.js';
import { createRedroidProvider } from '../../src/providers/redroid-provider.js';
import { createStaticProvider } from '../../src/providers/static-provider.js';
import type { VmProvider } from '../../src/providers/vm-provider.js';
import { createFakeVmHost, type FakeVm, type FakeVmHost, type FakeVmState } from '../support/fake-vm-host.js';
import { describeVmProviderContract, type ProviderUnderTest } from './vm-provider-contract.js';

// The providers run `adb`, `emulator`, `docker` and `vmctl` by name, as on a real host: the
// fakes go first on PATH. No real emulator, redroid or Docker ran for these tests.
const originalPath = process.env.PATH;
const fast = { bootPollMs: 5, bootTimeoutMs: 20_000 };
const booted = (extra: Partial<FakeVm> = {}): FakeVm => ({
  running: true,
  bootPolls: 0,
  boots: 1,
  installed: [],
  snapshots: {},
  ...extra,
});

async function onFakeHost(
  initial: Partial<FakeVmState>,
  vmKey: string,
  make: () => VmProvider,
): Promise<ProviderUnderTest & { host: FakeVmHost }> {
  const host = await createFakeVmHost(initial);
  process.env.PATH = `${host.binDir}:${originalPath}`;
  return {
    host,
    provider: make(),
    vmKey,
    installed: async (key) => (await host.state()).vms[key]?.installed ?? [],
    boots: async (key) => (await host.state()).vms[key]?.boots ?? 0,
    close: async () => {
      process.env.PATH = originalPath;
      await host.remove();
    },
  };
}

const emulatorHost = () =>
  onFakeHost(
    { avds: ['wa1', 'wa2'], vms: { 'emulator-5554': booted(), 'emulator-5556': booted() } },
    'emulator-5556',
    () =>
      createEmulatorProvider({
        ...fast,
        vms: [
          { avd: 'wa1', port: 5554 },
          { avd: 'wa2', port: 5556 },
        ],
      }),
  );
const redroidHost = () =>
  onFakeHost(
    {
      containers: {
        'redroid-1': { status: 'running', port: '5555', image: 'redroid/redroid:14.0.0-latest' },
      },
      vms: { '127.0.0.1:5555': booted({ connected: true }) },
    },
    '127.0.0.1:5555',
    () =>
      createRedroidProvider({
        ...fast,
        image: 'redroid/redroid:14.0.0-latest',
        vms: [{ name: 'redroid-1', adbPort: 5555 }],
      }),
  );
const staticHost = () =>
  onFakeHost({ vms: { 'emulator-5554': booted() } }, 'emulator-5554', () =>
    createStaticProvider({ ...fast, vmKeys: ['emulator-5554'] }),
  );
const commandHost = () =>
  onFakeHost({ vms: { 'emulator-5554': booted() } }, 'emulator-5554', () =>
    createCommandProvider({
      ...fast,
      vmKeys: ['emulator-5554'],
      commands: {
        restart: ['vmctl', 'restart', '{vmKey}'],
        start: ['vmctl', 'start', '{vmKey}'],
        stop: ['vmctl', 'stop', '{vmKey}'],
        saveSnapshot: ['vmctl', 'save', '{vmKey}', '{snapshot}'],
        restoreSnapshot: ['vmctl', 'restore', '{vmKey}', '{snapshot}'],
      },
    }),
  );

describeVmProviderContract('emulator (fake adb + emulator)', emulatorHost);
describeVmProviderContract('redroid (fake adb + docker)', redroidHost);
describeVmProviderContract('static (fake adb)', staticHost);
describeVmProviderContract('command (fake adb + a site vmctl)', commandHost);

describe('the commands each provider gives', () => {
  let under: Awaited<ReturnType<typeof onFakeHost>> | undefined;
  afterAll(() => under?.close());
  const fresh = async (make: typeof emulatorHost) => {
    await under?.close();
    under = await make();
    return under;
  };

  it('emulator: starts headless on its port, stops and snapshots through the console', async () => {
    const { provider, host } = await fresh(emulatorHost);
    await provider.restart('emulator-5554');
    await provider.saveSnapshot('emulator-5554', 'good');
    await provider.restoreSnapshot('emulator-5554', 'good');
    const commands = await host.commands();
    expect(commands).toContain('adb -s emulator-5554 emu kill');
    expect(commands).toContain('emulator -avd wa1 -port 5554 -no-window -no-audio -no-boot-anim');
    expect(commands).toContain('adb -s emulator-5554 emu avd snapshot save good');
    expect(commands).toContain('adb -s emulator-5554 emu avd snapshot load good');
    // After every boot it waits for Android, not just for the VM.
    expect(commands.at(-1)).toBe('adb -s emulator-5554 shell getprop sys.boot_completed');
  });

  it('redroid: a snapshot is a committed image, and restoring runs the container from it', async () => {
    const { provider, host } = await fresh(redroidHost);
    await provider.saveSnapshot('127.0.0.1:5555', 'good');
    await provider.restoreSnapshot('127.0.0.1:5555', 'good');
    const commands = await host.commands();
    expect(commands).toContain('docker commit redroid-1 wagate-snapshot/redroid-1:good');
    const removed = commands.indexOf('docker rm --force redroid-1');
    const checked = commands.indexOf('docker image inspect --format {{.Id}} wagate-snapshot/redroid-1:good');
    expect(checked).toBeGreaterThan(-1);
    expect(removed).toBeGreaterThan(checked);
    expect(commands).toContain(
      'docker run --detach --privileged --name redroid-1 --publish 127.0.0.1:5555:5555 wagate-snapshot/redroid-1:good',
    );
    expect(commands).toContain('adb connect 127.0.0.1:5555');
  });

  it('redroid: starting a VM that has no container yet runs one from the image', async () => {
    const { provider, host } = await fresh(redroidHost);
    await host.update((state) => {
      state.containers = {};
      state.vms = {};
    });
    expect(await provider.health('127.0.0.1:5555')).toEqual({ vmKey: '127.0.0.1:5555', state: 'stopped' });
    await provider.start('127.0.0.1:5555');
    expect(await host.commands()).toContain(
      'docker run --detach --privileged --name redroid-1 --publish 127.0.0.1:5555:5555 redroid/redroid:14.0.0-latest',
    );
    expect(await provider.health('127.0.0.1:5555')).toEqual({ vmKey: '127.0.0.1:5555', state: 'running' });
  });

  it('command: runs the site command with the VM key in place, never through a shell', async () => {
    const { provider, host } = await fresh(commandHost);
    await provider.restart('emulator-5554');
    expect(await host.commands()).toContain('vmctl restart emulator-5554');
  });

  it('a VM that never finishes booting fails the operation after the boot timeout', async () => {
    const { host } = await fresh(staticHost);
    await host.update((state) => {
      state.bootPolls = 1_000_000;
    });
    const provider = createStaticProvider({ bootPollMs: 5, bootTimeoutMs: 200, vmKeys: ['emulator-5554'] });
    await expect(provider.rebootAndroid('emulator-5554')).rejects.toThrow(/did not boot within 200 ms/);
    expect(await provider.health('emulator-5554')).toEqual({ vmKey: 'emulator-5554', state: 'booting' });
  });
});

beforeAll(() => {
  expect(process.env.PATH).toBe(originalPath);
});
