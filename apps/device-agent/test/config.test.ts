import { describe, expect, test } from 'vitest';
import { readAgentConfig } from '../src/config.js';

describe('device agent config', () => {
  test('runs three simulated phones against a local fleet by default', () => {
    const config = readAgentConfig({});
    expect(config).toMatchObject({
      fleetAddress: '127.0.0.1:50054',
      enrolmentToken: 'dev-enrolment-token',
      driver: 'sim',
      sim: { devices: 3, seed: 1, numberBase: '79990000001' },
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
    });
    expect(config).toEqual({
      fleetAddress: 'fleet:50054',
      agentId: 'host-7',
      enrolmentToken: 'secret',
      driver: 'sim',
      sim: { devices: 5, seed: 9, numberBase: '79160000100' },
    });
  });

  test('says plainly that the adb driver is not there yet', () => {
    expect(() => readAgentConfig({ WAGATE_DRIVER: 'adb' })).toThrow(/adb.*not implemented yet/);
  });

  test('names a bad variable', () => {
    expect(() => readAgentConfig({ FLEET_ADDRESS: 'nowhere' })).toThrow(/FLEET_ADDRESS/);
  });
});
