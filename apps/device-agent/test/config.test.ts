import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readConfig } from '@wagate/config';
import { deviceAgentVariables, readAgentConfig } from '../src/config.js';
import { tokenSha256 } from '../src/index.js';

/** The settings of an agent started with `env` as its environment. */
const agentConfigFrom = (env: Record<string, string>) => readAgentConfig(readConfig(deviceAgentVariables, env));

/** A development machine's settings: plaintext to a fleet on loopback (tests of TLS below). */
const readDevelopmentConfig = (source: Record<string, string | undefined>) =>
  agentConfigFrom({ WAGATE_INSECURE_PLAINTEXT_LOOPBACK: 'true', ...source });

describe('device agent config', () => {
  test('runs three simulated phones against a local fleet by default', () => {
    const config = readDevelopmentConfig({});
    expect(config).toMatchObject({
      fleetAddresses: ['127.0.0.1:50055'],
      fleetSecurity: { mode: 'insecure-loopback' },
      enrolmentToken: 'dev-enrolment-token',
      driver: 'sim',
      sim: { devices: 3, seed: 1, numberBase: '79990000001', profile: 'fast' },
    });
    expect(config.agentId).toMatch(/^agent-/);
  });

  test('reads every setting from the environment', () => {
    const config = readDevelopmentConfig({
      FLEET_AGENT_ADDRESS: 'fleet:50055',
      WAGATE_AGENT_ID: 'host-7',
      WAGATE_ENROLMENT_TOKEN: 'secret',
      WAGATE_AGENT_CREDENTIAL_FILE: '/etc/wagate/agent-credential',
      WAGATE_SIM_DEVICES: '5',
      WAGATE_SIM_SEED: '9',
      WAGATE_SIM_NUMBER_BASE: '79160000100',
      WAGATE_SIM_PROFILE: 'realistic',
    });
    expect(config).toEqual({
      fleetAddresses: ['fleet:50055'],
      fleetSecurity: { mode: 'insecure-loopback' },
      agentId: 'host-7',
      enrolmentToken: 'secret',
      credentialFile: '/etc/wagate/agent-credential',
      driver: 'sim',
      sim: { devices: 5, seed: 9, numberBase: '79160000100', profile: 'realistic' },
    });
  });

  test('drives phones over adb: each serial with its WhatsApp number', () => {
    const config = readDevelopmentConfig({
      WAGATE_DRIVER: 'adb',
      WAGATE_ADB_SERIALS: 'emulator-5554=79990000001, 10.0.0.7:5555=79990000002',
      WAGATE_ADB_PATH: '/opt/platform-tools/adb',
      WAGATE_WHATSAPP_PACKAGE: 'com.whatsapp.w4b',
      WAGATE_ADB_TICKS_INTERVAL_MS: '30000',
      WAGATE_ADB_NOTIFICATIONS_INTERVAL_MS: '2000',
      WAGATE_ALLOW_PRIVATE_MEDIA: 'true',
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
        media: { allowLoopback: false, allowPrivate: true },
      },
    });
    expect(config).not.toHaveProperty('sim');
  });

  test('adb defaults: adb from PATH, WhatsApp, no tick polling, notifications every 5 s, media from public hosts only', () => {
    const config = readDevelopmentConfig({
      WAGATE_DRIVER: 'adb',
      WAGATE_ADB_SERIALS: 'emulator-5554=79990000001',
    });
    expect(config).toMatchObject({
      driver: 'adb',
      adb: {
        adbPath: 'adb',
        whatsappPackage: 'com.whatsapp',
        ticksIntervalMs: 0,
        notificationsIntervalMs: 5_000,
        media: { allowLoopback: false, allowPrivate: false },
      },
    });
  });

  test('adb needs its serials, each as serial=phoneNumber, each once', () => {
    expect(() => readDevelopmentConfig({ WAGATE_DRIVER: 'adb' })).toThrow(/WAGATE_ADB_SERIALS: required/);
    expect(() =>
      readDevelopmentConfig({ WAGATE_DRIVER: 'adb', WAGATE_ADB_SERIALS: 'emulator-5554' }),
    ).toThrow(/WAGATE_ADB_SERIALS: "emulator-5554": expected serial=phoneNumber/);
    expect(() =>
      readDevelopmentConfig({ WAGATE_DRIVER: 'adb', WAGATE_ADB_SERIALS: 'emulator-5554=+7 999 000-00-01' }),
    ).toThrow(/WAGATE_ADB_SERIALS/);
    expect(() =>
      readDevelopmentConfig({ WAGATE_DRIVER: 'adb', WAGATE_ADB_SERIALS: 'a=79990000001,a=79990000002' }),
    ).toThrow(/serial a is listed twice/);
    expect(() =>
      readDevelopmentConfig({ WAGATE_DRIVER: 'adb', WAGATE_ADB_SERIALS: 'a=79990000001,b=79990000001' }),
    ).toThrow(/phoneNumber 79990000001 is listed twice/);
  });

  test('knows only the two WhatsApp packages', () => {
    expect(() =>
      readDevelopmentConfig({
        WAGATE_DRIVER: 'adb',
        WAGATE_ADB_SERIALS: 'emulator-5554=79990000001',
        WAGATE_WHATSAPP_PACKAGE: 'com.example',
      }),
    ).toThrow(/WAGATE_WHATSAPP_PACKAGE/);
  });

  const hash = tokenSha256('phone-one-secret-token');

  test('automation phones: each with its number and its token hash (or a token, hashed at once)', () => {
    const config = readDevelopmentConfig({
      WAGATE_DRIVER: 'automation',
      WAGATE_AUTOMATION_PHONES: `pixel-1=79990000001=sha256:${hash.toUpperCase()}, pixel-2=79990000002=token:phone-two-secret-token`,
      WAGATE_AUTOMATION_HOST: '192.168.1.10',
      WAGATE_AUTOMATION_PORT: '9000',
      WAGATE_AUTOMATION_PICKUP_TIMEOUT_MS: '30000',
      WAGATE_AUTOMATION_RESULT_TIMEOUT_MS: '90000',
    });
    expect(config).toMatchObject({
      driver: 'automation',
      automation: {
        phones: [
          { deviceKey: 'pixel-1', phoneNumber: '79990000001', tokenSha256: hash },
          {
            deviceKey: 'pixel-2',
            phoneNumber: '79990000002',
            tokenSha256: tokenSha256('phone-two-secret-token'),
          },
        ],
        host: '192.168.1.10',
        port: 9000,
        pickupTimeoutMs: 30_000,
        resultTimeoutMs: 90_000,
      },
    });
    expect(JSON.stringify(config)).not.toContain('phone-two-secret-token');
  });

  test('automation defaults: every interface, port 8088, 60 s to be polled for, 120 s to report', () => {
    const config = readDevelopmentConfig({
      WAGATE_DRIVER: 'automation',
      WAGATE_AUTOMATION_PHONES: `pixel-1=79990000001=sha256:${hash}`,
    });
    expect(config).toMatchObject({
      automation: { host: '0.0.0.0', port: 8088, pickupTimeoutMs: 60_000, resultTimeoutMs: 120_000 },
    });
  });

  test('automation phones from a JSON file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wagate-phones-')), 'phones.json');
    writeFileSync(
      file,
      JSON.stringify([
        { deviceKey: 'pixel-1', phoneNumber: '79990000001', tokenSha256: hash },
        { deviceKey: 'pixel-2', phoneNumber: '79990000002', token: 'phone-two-secret-token' },
      ]),
    );
    const config = readDevelopmentConfig({
      WAGATE_DRIVER: 'automation',
      WAGATE_AUTOMATION_PHONES_FILE: file,
    });
    expect(config).toMatchObject({
      automation: {
        phones: [
          { deviceKey: 'pixel-1', tokenSha256: hash },
          { deviceKey: 'pixel-2', tokenSha256: tokenSha256('phone-two-secret-token') },
        ],
      },
    });
    writeFileSync(file, JSON.stringify([{ deviceKey: 'pixel-1', phoneNumber: '79990000001' }]));
    expect(() =>
      readDevelopmentConfig({ WAGATE_DRIVER: 'automation', WAGATE_AUTOMATION_PHONES_FILE: file }),
    ).toThrow(/WAGATE_AUTOMATION_PHONES_FILE: .*give exactly one of tokenSha256/);
  });

  test('automation phones are required, well formed, each once, and a bad item does not echo its token', () => {
    expect(() => readDevelopmentConfig({ WAGATE_DRIVER: 'automation' })).toThrow(
      /WAGATE_AUTOMATION_PHONES: required/,
    );
    const bad = () =>
      readDevelopmentConfig({
        WAGATE_DRIVER: 'automation',
        WAGATE_AUTOMATION_PHONES: 'pixel-1=79990000001=short-secret',
      });
    expect(bad).toThrow(/WAGATE_AUTOMATION_PHONES: "pixel-1=…": expected deviceKey=phoneNumber=sha256:/);
    expect(bad).not.toThrow(/short-secret/);
    expect(() =>
      readDevelopmentConfig({
        WAGATE_DRIVER: 'automation',
        WAGATE_AUTOMATION_PHONES: `a=79990000001=sha256:${hash},a=79990000002=token:phone-two-secret-token`,
      }),
    ).toThrow(/deviceKey a is listed twice/);
    expect(() =>
      readDevelopmentConfig({
        WAGATE_DRIVER: 'automation',
        WAGATE_AUTOMATION_PHONES: `a=79990000001=sha256:${hash},b=79990000002=token:phone-one-secret-token`,
      }),
    ).toThrow(/tokenSha256 .* is listed twice/);
  });

  test('names a bad variable', () => {
    expect(() => readDevelopmentConfig({ FLEET_AGENT_ADDRESS: 'nowhere' })).toThrow(/FLEET_AGENT_ADDRESS/);
  });

  test('takes the fleet replicas’ agent listeners as an ordered list', () => {
    expect(
      readDevelopmentConfig({ FLEET_AGENT_ADDRESS: 'fleet-0.example.net:50055, fleet-1.example.net:50055' })
        .fleetAddresses,
    ).toEqual(['fleet-0.example.net:50055', 'fleet-1.example.net:50055']);
    expect(() => readDevelopmentConfig({ FLEET_AGENT_ADDRESS: 'fleet-0:50055,' })).toThrow(
      /FLEET_AGENT_ADDRESS.*expected host:port/,
    );
    expect(() => readDevelopmentConfig({ FLEET_AGENT_ADDRESS: 'fleet-0:50055,fleet-0:50055' })).toThrow(
      /FLEET_AGENT_ADDRESS.*listed twice/,
    );
  });

  test('without TLS material or the insecure setting, refuses to start, naming what is missing', () => {
    expect(() => agentConfigFrom({})).toThrow(/WAGATE_FLEET_CA_FILE.*WAGATE_INSECURE_PLAINTEXT_LOOPBACK/s);
  });

  test('verifies fleet against the CA file it is given', () => {
    const directory = mkdtempSync(join(tmpdir(), 'agent-ca-'));
    const caFile = join(directory, 'agent-ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    expect(agentConfigFrom({ WAGATE_FLEET_CA_FILE: caFile }).fleetSecurity).toEqual({ mode: 'tls', caFile });
    expect(() => agentConfigFrom({ WAGATE_FLEET_CA_FILE: join(directory, 'missing.pem') })).toThrow(
      /WAGATE_FLEET_CA_FILE: cannot read/,
    );
  });
});
