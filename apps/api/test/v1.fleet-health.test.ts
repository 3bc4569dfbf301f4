import { describe, expect } from 'vitest';
import { asKey, childWithKey, type KeyClient } from './support/accounts.js';
import { SLOW, type TestGateway, validMessage, test } from './support/gateway.js';

/** GET /v1/fleet/health: the fleet picture of an account tree, for the platform and resellers. */

interface FleetHealth {
  devices: Array<{ state: string; adminState: string; count: number }>;
  worst: Array<{ deviceId: string; accountId: string; state: string; adminState: string; why: string }>;
  queues: Array<{
    sender: string;
    accountId: string;
    queued: number;
    oldestQueuedAt: string | null;
    usableDevices: number;
    devices: number;
  }>;
}

let t: TestGateway;
let platform: KeyClient;
let demo: KeyClient;
let reseller: KeyClient;
let resellerId: string;
test.beforeAll(async ({ gateway }) => {
  t = gateway;
  platform = asKey(t, await t.platformKey());
  demo = asKey(t, t.apiKey);
  ({ id: resellerId, client: reseller } = await childWithKey(platform, t, {
    name: 'Health Reseller',
    kind: 'reseller',
  }));
}, SLOW);

async function health(client: KeyClient, query = ''): Promise<FleetHealth> {
  const answer = await client.get(`/v1/fleet/health${query}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as FleetHealth;
}
const count = (h: FleetHealth, state: string, adminState: string) =>
  h.devices.find((entry) => entry.state === state && entry.adminState === adminState)?.count;

describe('GET /v1/fleet/health', () => {
  test("the platform sees its tree's devices by state, the worst devices and why, and each sender pool's queue", async () => {
    await expect.poll(async () => count(await health(platform), 'online', 'active')).toBe(1);
    const before = await health(platform);
    expect(before.devices).toHaveLength(18);
    expect(before.worst).toEqual([]);
    expect(before.queues).toContainEqual(
      expect.objectContaining({
        sender: 'MyCompany',
        accountId: t.accountId,
        queued: 0,
        usableDevices: 1,
        devices: 1,
      }),
    );

    // Quarantined, the device takes no jobs: it heads the worst list, and a message waits in its pool's queue.
    const [device] = (await demo.get('/v1/devices')).body.data as Array<{ deviceId: string }>;
    expect(
      (await demo.post(`/v1/devices/${device!.deviceId}/quarantine`, { reason: 'reported for spam' })).status,
    ).toBe(200);
    const sent = await demo.send([{ ...validMessage, to: '79034567001' }]);
    expect(sent.status).toBe(200);
    await expect
      .poll(async () => (await health(platform)).queues.find((queue) => queue.sender === 'MyCompany')?.queued)
      .toBe(1);
    const during = await health(platform, `?accountId=${t.accountId}`);
    expect(count(during, 'online', 'quarantined')).toBe(1);
    expect(count(during, 'online', 'active')).toBe(0);
    expect(during.worst).toEqual([
      expect.objectContaining({
        deviceId: device!.deviceId,
        accountId: t.accountId,
        adminState: 'quarantined',
      }),
    ]);
    expect(during.worst[0]!.why).toContain('quarantined');
    expect(during.queues.find((queue) => queue.sender === 'MyCompany')).toMatchObject({
      usableDevices: 0,
      oldestQueuedAt: expect.any(String),
    });

    expect((await demo.post(`/v1/devices/${device!.deviceId}/release`, {})).status).toBe(200);
    await expect
      .poll(async () => (await health(platform)).queues.find((queue) => queue.sender === 'MyCompany')?.queued)
      .toBe(0);
  });

  test("a reseller sees only its subtree: none of another tree's devices, and another tree's account is 404", async () => {
    const own = await health(reseller);
    expect(own.devices.every((entry) => entry.count === 0)).toBe(true);
    expect(own.worst).toEqual([]);
    expect(own.queues).toEqual([]);
    const outside = await reseller.get(`/v1/fleet/health?accountId=${t.accountId}`);
    expect(outside.status).toBe(404);
    // Its own subtree by id answers.
    expect((await reseller.get(`/v1/fleet/health?accountId=${resellerId}`)).status).toBe(200);
  });

  test("a customer account's key is refused: fleet health is for the platform and resellers", async () => {
    const refused = await demo.get('/v1/fleet/health');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'REJECTED', reasons: [{ key: 'forbidden' }] });
  });
});
