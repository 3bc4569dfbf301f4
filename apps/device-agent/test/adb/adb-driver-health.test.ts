import { fleet } from '@wagate/contracts';
import { describe, expect, test, vi } from 'vitest';
import type { DeviceInbound } from '../../src/driver.js';
import { openAdbDriver } from '../../src/drivers/adb/adb-driver.js';
import { healthRules, notificationRules, serial, silentLogger, useAdbDrivers } from '../support/adb-phone.js';

describe('adb driver: heartbeat', () => {
  const phone = useAdbDrivers();

  test('reads battery, screen, storage, network and WhatsApp from the phone', async () => {
    const driver = await phone.driverFor({ screens: ['ui-whatsapp-chats.xml'], rules: healthRules() });
    expect(await driver.heartbeat()).toEqual({
      batteryPercent: 87,
      screenOn: true,
      storageFreeBytes: String(2_793_264 * 1024),
      networkUp: true,
      whatsappState: fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_IN,
    });
  });

  test.each([
    ['ui-verify-phone.xml', fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_OUT],
    ['ui-banned.xml', fleet.WhatsAppState.WHATS_APP_STATE_BANNED],
    ['ui-chat-sent.xml', fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_IN],
  ])('tells WhatsApp state from the screen (%s)', async (screen, state) => {
    const driver = await phone.driverFor({ screens: [screen], rules: healthRules() });
    expect((await driver.heartbeat()).whatsappState).toBe(state);
  });

  test('keeps the last state seen while another app is in front', async () => {
    const driver = await phone.driverFor({ screens: ['ui-banned.xml'], rules: healthRules() });
    await driver.heartbeat();
    await phone.fake().setScenario({ screens: ['ui-home.xml'], rules: healthRules() });
    expect((await driver.heartbeat()).whatsappState).toBe(fleet.WhatsAppState.WHATS_APP_STATE_BANNED);
  });

  test('fails rather than guess a value it cannot read', async () => {
    const driver = await phone.driverFor({
      screens: ['ui-home.xml'],
      rules: [{ when: 'dumpsys battery', stdout: "Can't find service: battery\n" }, ...healthRules()],
    });
    await expect(driver.heartbeat()).rejects.toThrow(
      /could not read the battery level from `dumpsys battery`/,
    );
  });

  test('openAdbDriver tells the fleet the Android and WhatsApp versions', async () => {
    const fake = await phone.useFake({
      rules: [
        { when: 'getprop ro.build.version.release', stdout: '14\n' },
        { when: 'dumpsys package com.whatsapp', file: 'dumpsys-package-whatsapp.txt' },
      ],
    });
    const driver = phone.track(
      await openAdbDriver({
        serial,
        phoneNumber: '79990000001',
        adbPath: fake.adbPath,
        notifications: { intervalMs: 0 },
        logger: silentLogger(),
      }),
    );
    expect(driver.info).toEqual({
      deviceKey: serial,
      phoneNumber: '79990000001',
      androidVersion: '14',
      whatsappVersion: '2.24.25.78',
      driver: 'adb',
    });
  });
});

describe('adb driver: incoming messages', () => {
  const phone = useAdbDrivers();

  test('reports the messages in WhatsApp notifications once each', async () => {
    const driver = await phone.driverFor({ rules: notificationRules() });
    const seen: DeviceInbound[] = [];
    driver.onInbound((message) => seen.push(message));
    await driver.pollNotifications();
    await driver.pollNotifications();
    expect(seen.map((message) => [message.from, message.text])).toEqual([
      ['79161234567', 'Hi! Can I pick the order up at 6? 🙂'],
      ['79034567890', 'Hello!\nIs the courier coming today?\nOrder #1042'],
    ]);
    expect(await phone.fake().commands()).toContainEqual(['dumpsys', 'notification', '--noredact']);
  });

  test('polls on its own at the interval given', async () => {
    const driver = await phone.driverFor(
      { rules: notificationRules() },
      { notifications: { intervalMs: 20 } },
    );
    const seen: DeviceInbound[] = [];
    driver.onInbound((message) => seen.push(message));
    await vi.waitFor(() => expect(seen).toHaveLength(2), { timeout: 10_000, interval: 20 });
  });
});
