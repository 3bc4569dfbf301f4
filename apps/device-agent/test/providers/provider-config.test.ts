import { describe, expect, it } from 'vitest';
import { readConfig } from '@wagate/config';
import { configuredVmKeys, readVmConfig, vmVariables } from '../../src/providers/provider-config.js';

/** The VM settings of an agent started with `env` as its environment. */
const vmConfigFrom = (env: Record<string, string>) => readVmConfig(readConfig(vmVariables, env));

describe('VM provider configuration', () => {
  it('is static (today: the agent manages no VM) unless told otherwise', () => {
    expect(vmConfigFrom({}).provider).toEqual({ kind: 'static' });
  });

  it('reads emulators as AVD@console-port, and their adb serials follow the ports', () => {
    const config = vmConfigFrom({
      WAGATE_VM_PROVIDER: 'emulator',
      WAGATE_EMULATOR_AVDS: 'wa1@5554, wa2@5556',
    });
    expect(config.provider).toMatchObject({
      kind: 'emulator',
      vms: [
        { avd: 'wa1', port: 5554 },
        { avd: 'wa2', port: 5556 },
      ],
    });
    expect(configuredVmKeys(config)).toEqual(['emulator-5554', 'emulator-5556']);
  });

  it('refuses an odd console port, a repeated one and a missing list, naming the variable', () => {
    expect(() => vmConfigFrom({ WAGATE_VM_PROVIDER: 'emulator', WAGATE_EMULATOR_AVDS: 'wa1@5555' })).toThrow(
      /WAGATE_EMULATOR_AVDS: wa1@5555: the console port must be even/,
    );
    expect(() =>
      vmConfigFrom({ WAGATE_VM_PROVIDER: 'redroid', WAGATE_REDROID_CONTAINERS: 'a@5555,b@5555' }),
    ).toThrow(/WAGATE_REDROID_CONTAINERS: a port is listed twice/);
    expect(() => vmConfigFrom({ WAGATE_VM_PROVIDER: 'redroid' })).toThrow(
      /WAGATE_REDROID_CONTAINERS: required/,
    );
  });

  it('reads redroid containers as name@adb-port on the configured adb host', () => {
    const config = vmConfigFrom({
      WAGATE_VM_PROVIDER: 'redroid',
      WAGATE_REDROID_CONTAINERS: 'redroid-1@5555',
    });
    expect(configuredVmKeys(config)).toEqual(['127.0.0.1:5555']);
  });

  it('needs a restart command for the command provider, and splits each command into argv', () => {
    expect(() => vmConfigFrom({ WAGATE_VM_PROVIDER: 'command' })).toThrow(
      /WAGATE_VM_COMMAND_RESTART: required/,
    );
    const config = vmConfigFrom({
      WAGATE_VM_PROVIDER: 'command',
      WAGATE_VM_COMMAND_RESTART: ' /usr/local/bin/restart-vm  --serial {vmKey} ',
    });
    expect(config.provider).toEqual({
      kind: 'command',
      commands: { restart: ['/usr/local/bin/restart-vm', '--serial', '{vmKey}'] },
    });
  });
});
