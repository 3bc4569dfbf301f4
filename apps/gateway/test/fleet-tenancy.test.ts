import { type Agent, createSimDrivers, type SimDriver, startAgent } from '@wagate/device-agent';
import { createLogger } from '@wagate/telemetry';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { EmbeddedGateway } from '../src/index.js';
import { resellerAndShop } from './support/accounts.js';
import { startGatewayOnPostgres } from './support/embedded.js';

/**
 * A reseller enrols a host for its customer over HTTP; the host's agent connects over gRPC;
 * each key then sees exactly the devices of its own account subtree.
 */

const SLOW = 120_000;
let gateway: EmbeddedGateway;
let agent: Agent;
let drivers: SimDriver[];
let keys: { reseller: string; shop: string };

beforeAll(async () => {
  gateway = await startGatewayOnPostgres({ simDevices: 1 });
  keys = await resellerAndShop(gateway, { reseller: 'acc_resl', shop: 'acc_shop' });
}, SLOW);

afterAll(async () => {
  await agent?.stop();
  await Promise.all((drivers ?? []).map((driver) => driver.close()));
  await gateway?.stop();
}, SLOW);

const call = async (key: string, path: string, body?: unknown) => {
  const response = await fetch(`${gateway.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Key ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
};
const numbers = async (key: string) =>
  (await call(key, '/v1/devices')).body.data.map((device: { phoneNumber: string }) => device.phoneNumber);

test(
  "a reseller's token enrols its customer's host; every key sees only its own subtree's devices",
  async () => {
    const made = await call(keys.reseller, '/v1/enrolment-tokens?accountId=acc_shop', { sender: 'Shop' });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const logger = createLogger('fleet-tenancy-test');
    logger.level = 'silent';
    drivers = createSimDrivers(1, { seed: 9, numberBase: '79990000500' });
    agent = startAgent({
      fleetAddress: gateway.agentPlane.address,
      fleetSecurity: gateway.agentPlane.security,
      agentId: 'shop-host',
      enrolmentToken: made.body.token,
      drivers,
      logger,
    });
    await vi.waitFor(() => expect(agent.connected()).toBe(true), { timeout: 10_000 });

    expect(await numbers(keys.shop)).toEqual(['79990000500']);
    expect(await numbers(keys.reseller)).toEqual(['79990000500']);
    expect(await numbers(gateway.apiKey)).toEqual(['79990000001']);
    const shopDevice = (await call(keys.shop, '/v1/devices')).body.data[0];
    expect(shopDevice).toMatchObject({ accountId: 'acc_shop', sender: 'Shop', connected: true });

    // Across trees a device is missing; within the tree the reseller may act on it.
    const demoDevice = (await call(gateway.apiKey, '/v1/devices')).body.data[0];
    expect((await call(keys.reseller, `/v1/devices/${demoDevice.deviceId}`)).status).toBe(404);
    expect((await call(gateway.apiKey, `/v1/devices/${shopDevice.deviceId}`)).status).toBe(404);
    expect((await call(keys.shop, `/v1/devices/${demoDevice.deviceId}/drain`, {})).status).toBe(404);
    const drained = await call(keys.reseller, `/v1/devices/${shopDevice.deviceId}/drain`, { reason: 'move' });
    expect(drained.body.device).toMatchObject({ adminState: 'draining', accepting: false });

    // A reseller may enrol hosts of its own; its customer may not enrol any.
    expect((await call(keys.reseller, '/v1/enrolment-tokens', {})).status).toBe(201);
    expect((await call(keys.shop, '/v1/enrolment-tokens', {})).status).toBe(403);
  },
  SLOW,
);
