import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fleet } from '@wagate/contracts';
import { closeGrpcChannels } from '@wagate/rpc';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { type Agent, createSimDrivers, type SimDriver } from '../../src/index.js';
import { createSimProvider } from '../../src/providers/sim-provider.js';
import { type FakeFleet, startFakeFleet } from '../support/fake-fleet.js';
import { startTestAgent } from '../support/test-agent.js';

const waitFor = <T>(check: () => T) => vi.waitFor(check, { timeout: 10_000, interval: 10 });
const { VmAction } = fleet;
const apkBytes = Buffer.from(`PK\u0003\u0004 whatsapp 2.26.1 ${'z'.repeat(200)}`);
const apkSha = createHash('sha256').update(apkBytes).digest('hex');
const later = () => String(Date.now() + 60_000);

describe('VM commands on the agent stream', () => {
  let fakeFleet: FakeFleet;
  let drivers: SimDriver[];
  let agent: Agent;
  let deviceId: string;
  let apkServer: Server;
  let apkUrl: string;

  beforeAll(async () => {
    apkServer = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/vnd.android.package-archive' });
      response.end(apkBytes);
    });
    await new Promise<void>((resolve) => apkServer.listen(0, '127.0.0.1', resolve));
    apkUrl = `http://127.0.0.1:${(apkServer.address() as AddressInfo).port}/whatsapp.apk`;
  });
  afterAll(async () => {
    apkServer.close();
    closeGrpcChannels();
  });

  async function startWith(allowLoopback: boolean) {
    fakeFleet = await startFakeFleet();
    drivers = createSimDrivers(2, { vm: { bootMs: 50 } });
    deviceId = `dev-${drivers[0]!.info.deviceKey}`;
    agent = startTestAgent(fakeFleet.address, 'agent-vm', drivers, {
      vms: { provider: createSimProvider(drivers), vmCapacity: 4, apk: { allowLoopback } },
    });
    await waitFor(() => expect(agent.connected()).toBe(true));
  }
  beforeEach(() => startWith(true));
  afterEach(async () => {
    await agent.stop();
    await Promise.all(drivers.map((driver) => driver.close()));
    await fakeFleet.close();
  });

  const resultOf = (commandId: string) =>
    fakeFleet.messages('vmResult').filter((r) => r.commandId === commandId);

  test('a restart runs on the device VM and its result comes back with the command id', async () => {
    fakeFleet.command({
      commandId: 'cmd-1',
      deviceId,
      action: VmAction.VM_ACTION_RESTART_VM,
      deadlineMs: later(),
    });
    await waitFor(() => expect(resultOf('cmd-1')).toHaveLength(1));
    expect(resultOf('cmd-1')[0]).toMatchObject({ deviceId, ok: true, error: '' });
    expect(drivers[0]!.vm.boots()).toBe(2);
    expect(drivers[1]!.vm.boots()).toBe(1);
  });

  test('a command sent again after a reconnect is answered from memory, not run twice', async () => {
    fakeFleet.command({
      commandId: 'cmd-2',
      deviceId,
      action: VmAction.VM_ACTION_RESTART_VM,
      deadlineMs: later(),
    });
    await waitFor(() => expect(resultOf('cmd-2')).toHaveLength(1));
    fakeFleet.endStream();
    await waitFor(() => expect(fakeFleet.connections.length).toBe(2));
    await waitFor(() => expect(agent.connected()).toBe(true));
    fakeFleet.command({
      commandId: 'cmd-2',
      deviceId,
      action: VmAction.VM_ACTION_RESTART_VM,
      deadlineMs: later(),
    });
    await waitFor(() =>
      expect(fakeFleet.messages('vmResult', 1).filter((r) => r.commandId === 'cmd-2')).toHaveLength(1),
    );
    expect(drivers[0]!.vm.boots()).toBe(2);
  });

  test('the same command arriving while it runs is not started again', async () => {
    const command = {
      commandId: 'cmd-3',
      deviceId,
      action: VmAction.VM_ACTION_REBOOT_ANDROID,
      deadlineMs: later(),
    };
    fakeFleet.command(command);
    fakeFleet.command(command);
    await waitFor(() => expect(resultOf('cmd-3')).toHaveLength(1));
    expect(drivers[0]!.vm.boots()).toBe(2);
  });

  test('a command past its deadline is refused without touching the VM', async () => {
    fakeFleet.command({
      commandId: 'cmd-4',
      deviceId,
      action: VmAction.VM_ACTION_RESTART_VM,
      deadlineMs: String(Date.now() - 1),
    });
    await waitFor(() => expect(resultOf('cmd-4')).toHaveLength(1));
    expect(resultOf('cmd-4')[0]).toMatchObject({ ok: false, error: expect.stringMatching(/deadline/) });
    expect(drivers[0]!.vm.boots()).toBe(1);
  });

  test('a command for a device this agent does not host fails and touches nothing', async () => {
    fakeFleet.command({
      commandId: 'cmd-5',
      deviceId: 'dev-elsewhere',
      action: VmAction.VM_ACTION_RESTART_VM,
      deadlineMs: later(),
    });
    await waitFor(() => expect(resultOf('cmd-5')).toHaveLength(1));
    expect(resultOf('cmd-5')[0]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not on this agent/),
    });
    expect(drivers.map((driver) => driver.vm.boots())).toEqual([1, 1]);
  });

  test('an APK is fetched, checked against its SHA-256 and installed', async () => {
    fakeFleet.command({
      commandId: 'cmd-6',
      deviceId,
      action: VmAction.VM_ACTION_INSTALL_APK,
      apkUrl,
      apkSha256: apkSha,
      deadlineMs: later(),
    });
    await waitFor(() => expect(resultOf('cmd-6')).toHaveLength(1));
    expect(resultOf('cmd-6')[0]).toMatchObject({ ok: true });
    expect(drivers[0]!.vm.installed()).toEqual([apkSha]);
  });

  test('an APK whose SHA-256 differs is not installed', async () => {
    const wrong = createHash('sha256').update('something else').digest('hex');
    fakeFleet.command({
      commandId: 'cmd-7',
      deviceId,
      action: VmAction.VM_ACTION_INSTALL_APK,
      apkUrl,
      apkSha256: wrong,
      deadlineMs: later(),
    });
    await waitFor(() => expect(resultOf('cmd-7')).toHaveLength(1));
    expect(resultOf('cmd-7')[0]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/SHA-256 is [\da-f]{64}, not/),
    });
    expect(drivers[0]!.vm.installed()).toEqual([]);
  });

  test('an APK URL on a loopback or private address is refused unless the host allows it', async () => {
    await agent.stop();
    await fakeFleet.close();
    await startWith(false);
    fakeFleet.command({
      commandId: 'cmd-8',
      deviceId,
      action: VmAction.VM_ACTION_INSTALL_APK,
      apkUrl,
      apkSha256: apkSha,
      deadlineMs: later(),
    });
    await waitFor(() => expect(resultOf('cmd-8')).toHaveLength(1));
    expect(resultOf('cmd-8')[0]).toMatchObject({
      ok: false,
      error: expect.stringMatching(/APK URL refused: 127\.0\.0\.1.*loopback/),
    });
    expect(drivers[0]!.vm.installed()).toEqual([]);
  });

  test('a screenshot comes back as PNG bytes', async () => {
    fakeFleet.command({
      commandId: 'cmd-9',
      deviceId,
      action: VmAction.VM_ACTION_SCREENSHOT,
      deadlineMs: later(),
    });
    await waitFor(() => expect(resultOf('cmd-9')).toHaveLength(1));
    const png = resultOf('cmd-9')[0]!.screenshotPng;
    expect(png.subarray(0, 4).toString('latin1')).toBe('\u0089PNG');
  });

  test('the host is reported with its VMs, capacity and resources', async () => {
    await waitFor(() => expect(fakeFleet.messages('host').length).toBeGreaterThan(0));
    const host = fakeFleet.messages('host')[0]!;
    expect(host).toMatchObject({ provider: 'sim', vmsTotal: 2, vmsRunning: 2, vmCapacity: 4 });
    expect(host.cpuCores).toBeGreaterThan(0);
    expect(Number(host.memoryTotalBytes)).toBeGreaterThan(0);
    expect(Number(host.diskTotalBytes)).toBeGreaterThan(0);
  });
});
