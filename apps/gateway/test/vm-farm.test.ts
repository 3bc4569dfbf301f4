import {
  type Agent,
  createSimDrivers,
  createSimProvider,
  type SimDriver,
  startAgent,
} from '@wagate/device-agent';
import { createLogger } from '@wagate/telemetry';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { EmbeddedGateway } from '../src/index.js';
import { resellerAndShop } from './support/accounts.js';
import { startGatewayOnPostgres } from './support/embedded.js';

/**
 * Operators act on the farm over HTTP: restart, restore and screenshot a device, list the
 * agent hosts, roll an APK out. The embedded gateway's sim phones run on the sim VM provider;
 * a second tenant's host runs its own agent. No real VM is involved.
 */

const SLOW = 120_000;
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 20_000, interval: 100 });
let gateway: EmbeddedGateway;
let agent: Agent;
let drivers: SimDriver[];
let shopKey = '';
let demoDevice = '';
let shopDevice = '';

beforeAll(async () => {
  gateway = await startGatewayOnPostgres({ simDevices: 2 });
  const keys = await resellerAndShop(gateway, { reseller: 'acc_farm_resl', shop: 'acc_farm_shop' });
  const resellerKey = keys.reseller;
  shopKey = keys.shop;
  const token = await call(resellerKey, '/v1/enrolment-tokens?accountId=acc_farm_shop', { sender: 'Shop' });
  expect(token.status, JSON.stringify(token.body)).toBe(201);
  const logger = createLogger('vm-farm-test');
  logger.level = 'silent';
  drivers = createSimDrivers(1, { seed: 5, numberBase: '79990000700', vm: { bootMs: 100 } });
  agent = startAgent({
    fleetAddress: gateway.agentPlane.address,
    fleetSecurity: gateway.agentPlane.security,
    agentId: 'shop-host',
    enrolmentToken: token.body.token,
    drivers,
    vms: { provider: createSimProvider(drivers), vmCapacity: 4 },
    heartbeatIntervalMs: 200,
    logger,
  });
  await vi.waitFor(() => expect(agent.connected()).toBe(true), { timeout: 10_000 });
  demoDevice = (await call(gateway.apiKey, '/v1/devices')).body.data[0].deviceId;
  shopDevice = (await call(shopKey, '/v1/devices')).body.data[0].deviceId;
}, SLOW);

afterAll(async () => {
  await agent?.stop();
  await Promise.all((drivers ?? []).map((driver) => driver.close()));
  await gateway?.stop();
}, SLOW);

async function call(key: string, path: string, body?: unknown) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Key ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const commandOf = (key: string, deviceId: string, commandId: string) =>
  call(key, `/v1/devices/${deviceId}/commands/${commandId}`);

test(
  'a restart reaches the VM through its agent; the command and its outcome are in the device history',
  async () => {
    const restart = await call(shopKey, `/v1/devices/${shopDevice}/restart`, {});
    expect(restart.status, JSON.stringify(restart.body)).toBe(202);
    expect(restart.body.command).toMatchObject({
      deviceId: shopDevice,
      action: 'restart_vm',
      requestedBy: 'acc_farm_shop',
    });
    await waitFor(async () =>
      expect((await commandOf(shopKey, shopDevice, restart.body.command.commandId)).body.command.state).toBe(
        'succeeded',
      ),
    );
    expect(drivers[0]!.vm.boots()).toBe(2);
    const { history } = (await call(shopKey, `/v1/devices/${shopDevice}`)).body;
    const commands = history.filter((entry: { change: string }) => entry.change === 'command');
    expect(commands.map((entry: { from: string; to: string }) => `${entry.from} ${entry.to}`)).toEqual([
      'restart_vm succeeded',
      'restart_vm requested',
    ]);
  },
  SLOW,
);

test(
  'a screenshot comes back as a link to the PNG',
  async () => {
    const shot = await call(gateway.apiKey, `/v1/devices/${demoDevice}/screenshot`, {});
    expect(shot.status, JSON.stringify(shot.body)).toBe(200);
    const url = shot.body.command.screenshotUrl as string;
    expect(url).toBe(`/v1/devices/${demoDevice}/commands/${shot.body.command.commandId}/screenshot`);
    const image = await fetch(`${gateway.url}${url}`, {
      headers: { authorization: `Key ${gateway.apiKey}` },
    });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await image.arrayBuffer())
        .subarray(0, 4)
        .toString('latin1'),
    ).toBe('\u0089PNG');
  },
  SLOW,
);

test(
  'restoring a snapshot the VM does not have fails with the reason; a bad name is a 400',
  async () => {
    const restore = await call(shopKey, `/v1/devices/${shopDevice}/restore`, { snapshot: 'never-saved' });
    expect(restore.status).toBe(202);
    await waitFor(async () =>
      expect(
        (await commandOf(shopKey, shopDevice, restore.body.command.commandId)).body.command,
      ).toMatchObject({
        state: 'failed',
        error: expect.stringContaining('no snapshot never-saved'),
      }),
    );
    expect((await call(shopKey, `/v1/devices/${shopDevice}/restore`, { snapshot: '../etc' })).status).toBe(
      400,
    );
  },
  SLOW,
);

test(
  "another tenant's device, command and rollout answer 404, and its hosts are not listed",
  async () => {
    expect((await call(shopKey, `/v1/devices/${demoDevice}/restart`, {})).status).toBe(404);
    expect((await call(shopKey, `/v1/devices/${demoDevice}/screenshot`, {})).status).toBe(404);
    expect((await call(shopKey, `/v1/devices/${demoDevice}/restore`, { snapshot: 'a' })).status).toBe(404);
    const demoCommand = await call(gateway.apiKey, `/v1/devices/${demoDevice}/restart`, {
      target: 'android',
    });
    expect((await commandOf(shopKey, demoDevice, demoCommand.body.command.commandId)).status).toBe(404);
    // The command id of one device is not found under another.
    expect((await commandOf(shopKey, shopDevice, demoCommand.body.command.commandId)).status).toBe(404);

    await waitFor(async () => {
      const shopAgents = (await call(shopKey, '/v1/agents')).body.data;
      expect(shopAgents).toEqual([
        expect.objectContaining({
          agentId: 'shop-host',
          connected: true,
          devices: 1,
          host: expect.objectContaining({ provider: 'sim', vmsTotal: 1, vmCapacity: 4, vmFree: 3 }),
        }),
      ]);
    });
    const platformAgents = (await call(gateway.apiKey, '/v1/agents')).body.data.map(
      (a: { agentId: string }) => a.agentId,
    );
    expect(platformAgents).toContain('embedded-agent');

    const rollout = await call(gateway.apiKey, '/v1/rollouts', {
      apkUrl: 'https://example.invalid/wa.apk',
      apkSha256: 'ab'.repeat(32),
    });
    expect(rollout.status, JSON.stringify(rollout.body)).toBe(201);
    expect((await call(shopKey, `/v1/rollouts/${rollout.body.rollout.rolloutId}`)).status).toBe(404);
  },
  SLOW,
);

test(
  'a rollout whose APK cannot be fetched halts after its first wave and says why',
  async () => {
    const bad = await call(shopKey, '/v1/rollouts', {
      apkUrl: 'https://example.com/wa.apk',
      apkSha256: 'nope',
    });
    expect(bad.status).toBe(400);
    const rollout = await call(shopKey, '/v1/rollouts', {
      apkUrl: 'https://wagate-test.invalid/wa.apk',
      apkSha256: 'cd'.repeat(32),
    });
    expect(rollout.status, JSON.stringify(rollout.body)).toBe(201);
    expect(rollout.body.rollout).toMatchObject({
      accountId: 'acc_farm_shop',
      devicesTotal: 1,
      state: 'running',
    });
    await waitFor(async () => {
      const now = (await call(shopKey, `/v1/rollouts/${rollout.body.rollout.rolloutId}`)).body.rollout;
      expect(now).toMatchObject({
        state: 'halted',
        wave: 1,
        devicesFailed: 1,
        reason: 'wave 1: 1 of 1 installs failed (100 % > 20 %)',
      });
    });
    expect(drivers[0]!.vm.installed()).toEqual([]);
  },
  SLOW,
);
