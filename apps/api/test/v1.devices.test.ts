import { describe, expect } from 'vitest';
import { SLOW, type TestGateway, test } from './support/gateway.js';

/** `/v1/devices` and `/v1/enrolment-tokens`: the fleet's management plane, per account tree. */

interface Device {
  deviceId: string;
  accountId: string;
  phoneNumber: string;
  sender: string | null;
  state: string;
  adminState: string;
  connected: boolean;
  accepting: boolean;
  health: { lastHeartbeatAt: string | null; batteryPercent: number | null; whatsappState: string };
}

let t: TestGateway;
let platform: string;
let stranger: string;
test.beforeAll(async ({ gateway }) => {
  t = gateway;
  platform = await t.platformKey();
  stranger = await t.createKey(['read', 'manage'], 'acc_v1_devices_stranger');
}, SLOW);

const as = (key: string) => ({ authorization: `Key ${key}` });
const json = { 'content-type': 'application/json' };

async function devices(key = t.apiKey, query = ''): Promise<Device[]> {
  const response = await t.request(`/v1/devices${query}`, { headers: as(key) });
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { data: Device[] }).data;
}

async function demoDevice(): Promise<Device> {
  let device: Device | undefined;
  await expect
    .poll(async () => {
      [device] = await devices();
      return device?.health.lastHeartbeatAt ?? null;
    })
    .not.toBeNull();
  return device!;
}

const post = (path: string, body: unknown, key = t.apiKey) =>
  t.request(path, { method: 'POST', body: JSON.stringify(body), headers: { ...json, ...as(key) } });

describe('GET /v1/devices', () => {
  test("shows the device's pacing, warm-up day and today's jobs once it has sent", async () => {
    await demoDevice();
    const sent = await t.send({ messages: [{ from: 'MyCompany', to: '79034567801', text: 'pace me' }] });
    expect(sent.status).toBe(200);
    await expect
      .poll(async () => ((await devices())[0] as Device & { jobsToday: number }).jobsToday, {
        timeout: 60_000,
        interval: 200,
      })
      .toBeGreaterThanOrEqual(1);
    expect(await devices()).toMatchObject([
      {
        // The embedded gateway's demo pacing: no warm-up table, a million new contacts a day.
        pacing: { warmupDay: 1, newContactsToday: expect.any(Number), newContactsAllowedToday: 1_000_000 },
        recentResults: expect.stringContaining('s'),
      },
    ]);
    const pacing = ((await devices())[0] as Device & { pacing: { newContactsToday: number } }).pacing;
    expect(pacing.newContactsToday).toBeGreaterThanOrEqual(1);
  });

  test("lists the account's device with its state, sender and last heartbeat", async () => {
    expect(await demoDevice()).toMatchObject({
      accountId: t.accountId,
      phoneNumber: '79990000001',
      sender: 'MyCompany',
      state: 'online',
      adminState: 'active',
      connected: true,
      accepting: true,
      health: {
        lastHeartbeatAt: expect.any(String),
        batteryPercent: expect.any(Number),
        whatsappState: 'logged_in',
      },
    });
  });

  test("the platform sees the devices of accounts below it, also with ?accountId=; another tree's key sees none", async () => {
    const { deviceId } = await demoDevice();
    expect((await devices(platform)).map((device) => device.deviceId)).toContain(deviceId);
    expect((await devices(platform, `?accountId=${t.accountId}`)).map((d) => d.deviceId)).toEqual([deviceId]);
    expect(await devices(stranger)).toEqual([]);
    const outside = await t.request(`/v1/devices?accountId=${t.accountId}`, { headers: as(stranger) });
    expect(outside.status).toBe(404);
  });
});

describe('one device', () => {
  test('a device of another account tree is 404 for reading and for every change', async () => {
    const { deviceId } = await demoDevice();
    const read = await t.request(`/v1/devices/${deviceId}`, { headers: as(stranger) });
    expect(read.status).toBe(404);
    const refusal = (await read.json()) as { reasons: unknown; description: string };
    expect(refusal).toMatchObject({ code: 'REJECTED', reasons: [{ key: 'not.found', ref: 'deviceId' }] });
    // Exactly as for a device that does not exist: the owner's account is not named.
    expect(refusal.description).not.toContain(t.accountId);
    const missing = await t.request('/v1/devices/dev_missing', { headers: as(stranger) });
    expect(((await missing.json()) as { reasons: unknown }).reasons).toEqual(refusal.reasons);
    for (const action of ['quarantine', 'drain', 'release']) {
      expect((await post(`/v1/devices/${deviceId}/${action}`, {}, stranger)).status, action).toBe(404);
    }
    expect((await post(`/v1/devices/${deviceId}/bind`, { sender: 'Theirs' }, stranger)).status).toBe(404);
    expect((await devices())[0]).toMatchObject({ adminState: 'active', sender: 'MyCompany' });
  });

  test('quarantine, drain and release change the admin state, each with its reason in the history, newest first', async () => {
    const { deviceId } = await demoDevice();
    const quarantined = await post(`/v1/devices/${deviceId}/quarantine`, { reason: 'reported for spam' });
    expect(quarantined.status, await quarantined.clone().text()).toBe(200);
    expect(((await quarantined.json()) as { device: Device }).device).toMatchObject({
      adminState: 'quarantined',
      accepting: false,
    });
    expect((await post(`/v1/devices/${deviceId}/drain`, { reason: 'maintenance' })).status).toBe(200);
    const released = await post(`/v1/devices/${deviceId}/release`, {});
    expect(((await released.json()) as { device: Device }).device).toMatchObject({
      adminState: 'active',
      accepting: true,
    });

    const response = await t.request(`/v1/devices/${deviceId}?historyLimit=3`);
    expect(response.status).toBe(200);
    const { history } = (await response.json()) as { history: Array<Record<string, string>> };
    expect(history).toEqual([
      { at: expect.any(String), change: 'admin_state', from: 'draining', to: 'active', reason: 'by hand' },
      {
        at: expect.any(String),
        change: 'admin_state',
        from: 'quarantined',
        to: 'draining',
        reason: 'maintenance',
      },
      {
        at: expect.any(String),
        change: 'admin_state',
        from: 'active',
        to: 'quarantined',
        reason: 'reported for spam',
      },
    ]);
  });

  test('the first history entry is the device coming online', async () => {
    const { deviceId } = await demoDevice();
    const response = await t.request(`/v1/devices/${deviceId}`);
    const { history } = (await response.json()) as { history: Array<Record<string, string>> };
    expect(history.at(-1)).toMatchObject({ change: 'state', from: 'offline', to: 'online' });
  });

  test('binds to another sender pool of its account, which then lists it', async () => {
    const { deviceId } = await demoDevice();
    const bound = await post(`/v1/devices/${deviceId}/bind`, { sender: 'Support' });
    expect(bound.status, await bound.clone().text()).toBe(200);
    expect(((await bound.json()) as { device: Device }).device.sender).toBe('Support');
    const senders = (await (await t.request('/v1/senders')).json()) as {
      data: Array<{ name: string; devices: number }>;
    };
    expect(senders.data).toContainEqual(expect.objectContaining({ name: 'Support', devices: 1 }));
    expect((await post(`/v1/devices/${deviceId}/bind`, { sender: 'MyCompany' })).status).toBe(200);
  });

  test('a bad body or an unknown device is answered in the contract shape', async () => {
    const { deviceId } = await demoDevice();
    expect((await post(`/v1/devices/${deviceId}/bind`, {})).status).toBe(400);
    expect((await post('/v1/devices/dev_missing/quarantine', {})).status).toBe(404);
    expect((await t.request(`/v1/devices/${deviceId}?historyLimit=0`)).status).toBe(400);
  });
});

describe('POST /v1/enrolment-tokens', () => {
  test('the platform makes a token for an account below it, shown once', async () => {
    const response = await post(
      `/v1/enrolment-tokens?accountId=${t.accountId}`,
      { maxUses: 2, sender: 'MyCompany' },
      platform,
    );
    expect(response.status, await response.clone().text()).toBe(201);
    expect(await response.json()).toEqual({
      tokenId: expect.stringMatching(/^enr_/),
      token: expect.stringMatching(/^wae_/),
      accountId: t.accountId,
      maxUses: 2,
      expiresAt: expect.any(String),
      sender: 'MyCompany',
      createdAt: expect.any(String),
    });
  });

  test("a customer's key may not enrol devices; an account outside the tree is 404; bad input is 400", async () => {
    expect((await post('/v1/enrolment-tokens', {})).status).toBe(403);
    expect((await post('/v1/enrolment-tokens?accountId=acc_nobody', {}, platform)).status).toBe(404);
    expect(
      (await post(`/v1/enrolment-tokens?accountId=${t.accountId}`, { maxUses: 0 }, platform)).status,
    ).toBe(400);
    const past = await post(
      `/v1/enrolment-tokens?accountId=${t.accountId}`,
      { expiresAt: '2020-01-01T00:00:00Z' },
      platform,
    );
    expect(past.status).toBe(400);
  });
});
