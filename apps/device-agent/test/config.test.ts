import { describe, expect, test } from 'vitest';
import { readAgentConfig } from '../src/config.js';

describe('device agent config', () => {
  test('runs three simulated phones against a local fleet by default', () => {
    const config = readAgentConfig({});
    expect(config).toMatchObject({
      fleetAddress: '127.0.0.1:50054',
      enrolmentToken: 'dev-enrolment-token',
      driver: 'sim',
      sim: { devices: 3, seed: 1, numberBase: '79990000001', profile: 'fast' },
    });
    expect(config.agentId).toMatch(/^agent-/);
  });

  test('reads every setting from the environment', () => {
    const config = readAgentConfig({
      FLEET_ADDRESS: 'fleet:50054',
      WAGATE_AGENT_ID: 'host-7',
      WAGATE_ENROLMENT_TOKEN: 'secret',
      WAGATE_SIM_DEVICES: '5',
      WAGATE_SIM_SEED: '9',
      WAGATE_SIM_NUMBER_BASE: '79160000100',
      WAGATE_SIM_PROFILE: 'realistic',
    });
    expect(config).toEqual({
      fleetAddress: 'fleet:50054',
      agentId: 'host-7',
      enrolmentToken: 'secret',
      driver: 'sim',
      sim: { devices: 5, seed: 9, numberBase: '79160000100', profile: 'realistic' },
    });
  });

  test('drives phones over adb: each serial with its WhatsApp number', () => {
    const config = readAgentConfig({
      WAGATE_DRIVER: 'adb',
      WAGATE_ADB_SERIALS: 'emulator-5554=79990000001, 10.0.0.7:5555=79990000002',
      WAGATE_ADB_PATH: '/opt/platform-tools/adb',
      WAGATE_WHATSAPP_PACKAGE: 'com.whatsapp.w4b',
      WAGATE_ADB_TICKS_INTERVAL_MS: '30000',
      WAGATE_ADB_NOTIFICATIONS_INTERVAL_MS: '2000',
    });
    expect(config).toMatchObject({
      driver: 'adb',
      adb: {
        devices: [
          { serial: 'emulator-5554', phoneNumber: '79990000001' },
          { serial: '10.0.0.7:5555', phoneNumber: '79990000002' },
        ],
        adbPath: '/opt/platform-tools/adb',
        whatsappPackage: 'com.whatsapp.w4b',
        ticksIntervalMs: 30_000,
        notificationsIntervalMs: 2_000,
      },
    });
    expect(config).not.toHaveProperty('sim');
  });

  test('adb defaults: adb from PATH, WhatsApp, no tick polling, notifications every 5 s', () => {
    const config = readAgentConfig({ WAGATE_DRIVER: 'adb', WAGATE_ADB_SERIALS: 'emulator-5554=79990000001' });
    expect(config).toMatchObject({
      driver: 'adb',
      adb: {
        adbPath: 'adb',
        whatsappPackage: 'com.whatsapp',
        ticksIntervalMs: 0,
        notificationsIntervalMs: 5_000,
      },
    });
  });

  test('adb needs its serials, each as serial=phoneNumber, each once', () => {
    expect(() => readAgentConfig({ WAGATE_DRIVER: 'adb' })).toThrow(/WAGATE_ADB_SERIALS: required/);
    expect(() => readAgentConfig({ WAGATE_DRIVER: 'adb', WAGATE_ADB_SERIALS: 'emulator-5554' })).toThrow(
      /WAGATE_ADB_SERIALS: "emulator-5554": expected serial=phoneNumber/,
    );
    expect(() =>
      readAgentConfig({ WAGATE_DRIVER: 'adb', WAGATE_ADB_SERIALS: 'emulator-5554=+7 999 000-00-01' }),
    ).toThrow(/WAGATE_ADB_SERIALS/);
    expect(() =>
      readAgentConfig({ WAGATE_DRIVER: 'adb', WAGATE_ADB_SERIALS: 'a=79990000001,a=79990000002' }),
    ).toThrow(/serial a is listed twice/);
    expect(() =>
      readAgentConfig({ WAGATE_DRIVER: 'adb', WAGATE_ADB_SERIALS: 'a=79990000001,b=79990000001' }),
    ).toThrow(/phoneNumber 79990000001 is listed twice/);
  });

  test('knows only the two WhatsApp packages', () => {
    expect(() =>
      readAgentConfig({
        WAGATE_DRIVER: 'adb',
        WAGATE_ADB_SERIALS: 'emulator-5554=79990000001',
        WAGATE_WHATSAPP_PACKAGE: 'com.example',
      }),
    ).toThrow(/WAGATE_WHATSAPP_PACKAGE/);
  });

  test('names a bad variable', () => {
    expect(() => readAgentConfig({ FLEET_ADDRESS: 'nowhere' })).toThrow(/FLEET_ADDRESS/);
  });
});
