import { ConfigError, readConfig } from '@wagate/config';
import { z } from 'zod';
import type { SimDriver } from '../drivers/sim/sim-driver.js';
import { createCommandProvider, parseCommandTemplate } from './command-provider.js';
import { createEmulatorProvider, type EmulatorVm } from './emulator-provider.js';
import { createRedroidProvider, type RedroidVm } from './redroid-provider.js';
import { createSimProvider } from './sim-provider.js';
import { createStaticProvider } from './static-provider.js';
import { machineResources, type VmBudget, vmCapacity, withCapacity } from './capacity.js';
import type { VmProvider } from './vm-provider.js';

export type VmProviderConfig =
  | { kind: 'static' }
  | { kind: 'emulator'; vms: EmulatorVm[]; emulatorPath: string; extraArgs: string[] }
  | { kind: 'redroid'; vms: RedroidVm[]; image: string; containerCli: string; adbHost: string }
  | {
      kind: 'command';
      commands: {
        restart: string[];
        start?: string[];
        stop?: string[];
        saveSnapshot?: string[];
        restoreSnapshot?: string[];
      };
    };

export interface VmConfig {
  provider: VmProviderConfig;
  adbPath: string;
  bootTimeoutMs: number;
  /** What a VM takes and the host has: the agent starts no more VMs than that holds. */
  budget: VmBudget;
}

const invalid = (variable: string, message: string) =>
  new ConfigError(`invalid configuration:\n  ${variable}: ${message}`);

/** `name@port[,name@port…]`: an AVD and its console port, or a container and its adb port. */
function parseNamedPorts(variable: string, value: string | undefined): Array<{ name: string; port: number }> {
  const expected = 'expected name@port[,name@port…], e.g. wa1@5554';
  if (!value?.trim()) throw invalid(variable, `required with this WAGATE_VM_PROVIDER; ${expected}`);
  const items = value.split(',').map((item) => {
    const match = /^\s*([A-Za-z0-9][\w.-]{0,62})@(\d{2,5})\s*$/.exec(item);
    if (!match) throw invalid(variable, `"${item.trim()}": ${expected}`);
    return { name: match[1]!, port: Number(match[2]) };
  });
  for (const key of ['name', 'port'] as const) {
    const seen = new Set(items.map((item) => item[key]));
    if (seen.size !== items.length) throw invalid(variable, `a ${key} is listed twice`);
  }
  return items;
}

/** The VM provider's settings (`WAGATE_VM_PROVIDER` and its variables); see the agent's README. */
export function readVmConfig(source: Record<string, string | undefined> = process.env): VmConfig {
  const config = readConfig(
    {
      WAGATE_VM_PROVIDER: z.enum(['static', 'emulator', 'redroid', 'command']).default('static'),
      WAGATE_ADB_PATH: z.string().min(1).default('adb'),
      WAGATE_VM_BOOT_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(180_000),
      WAGATE_EMULATOR_AVDS: z.string().optional(),
      WAGATE_EMULATOR_PATH: z.string().min(1).default('emulator'),
      WAGATE_EMULATOR_ARGS: z.string().default(''),
      WAGATE_REDROID_CONTAINERS: z.string().optional(),
      WAGATE_REDROID_IMAGE: z.string().min(1).default('redroid/redroid:14.0.0-latest'),
      WAGATE_CONTAINER_CLI: z.string().min(1).default('docker'),
      WAGATE_REDROID_ADB_HOST: z.string().min(1).default('127.0.0.1'),
      WAGATE_VM_COMMAND_RESTART: z.string().optional(),
      WAGATE_VM_COMMAND_START: z.string().optional(),
      WAGATE_VM_COMMAND_STOP: z.string().optional(),
      WAGATE_VM_COMMAND_SNAPSHOT_SAVE: z.string().optional(),
      WAGATE_VM_COMMAND_SNAPSHOT_RESTORE: z.string().optional(),
      WAGATE_VM_CPUS: z.coerce.number().positive().default(2),
      WAGATE_VM_MEMORY_MB: z.coerce.number().int().positive().default(3_072),
      WAGATE_HOST_CPUS: z.coerce.number().positive().optional(),
      WAGATE_HOST_MEMORY_MB: z.coerce.number().int().positive().optional(),
    },
    source,
  );
  const machine = machineResources();
  const common = {
    adbPath: config.WAGATE_ADB_PATH,
    bootTimeoutMs: config.WAGATE_VM_BOOT_TIMEOUT_MS,
    budget: {
      cpusPerVm: config.WAGATE_VM_CPUS,
      memoryMbPerVm: config.WAGATE_VM_MEMORY_MB,
      hostCpus: config.WAGATE_HOST_CPUS ?? machine.hostCpus,
      hostMemoryMb: config.WAGATE_HOST_MEMORY_MB ?? machine.hostMemoryMb,
    },
  };
  switch (config.WAGATE_VM_PROVIDER) {
    case 'emulator':
      return {
        ...common,
        provider: {
          kind: 'emulator',
          vms: parseNamedPorts('WAGATE_EMULATOR_AVDS', config.WAGATE_EMULATOR_AVDS).map(({ name, port }) => {
            if (port % 2 !== 0 || port < 5554 || port > 5682)
              throw invalid(
                'WAGATE_EMULATOR_AVDS',
                `${name}@${port}: the console port must be even, 5554-5682`,
              );
            return { avd: name, port };
          }),
          emulatorPath: config.WAGATE_EMULATOR_PATH,
          extraArgs: parseCommandTemplate(config.WAGATE_EMULATOR_ARGS),
        },
      };
    case 'redroid':
      return {
        ...common,
        provider: {
          kind: 'redroid',
          vms: parseNamedPorts('WAGATE_REDROID_CONTAINERS', config.WAGATE_REDROID_CONTAINERS).map(
            ({ name, port }) => ({ name, adbPort: port }),
          ),
          image: config.WAGATE_REDROID_IMAGE,
          containerCli: config.WAGATE_CONTAINER_CLI,
          adbHost: config.WAGATE_REDROID_ADB_HOST,
        },
      };
    case 'command': {
      if (!config.WAGATE_VM_COMMAND_RESTART?.trim()) {
        throw invalid(
          'WAGATE_VM_COMMAND_RESTART',
          'required with WAGATE_VM_PROVIDER=command, e.g. "/usr/local/bin/restart-vm --serial {vmKey}"',
        );
      }
      const optional = (text: string | undefined) => (text?.trim() ? parseCommandTemplate(text) : undefined);
      const commands = {
        restart: parseCommandTemplate(config.WAGATE_VM_COMMAND_RESTART),
        start: optional(config.WAGATE_VM_COMMAND_START),
        stop: optional(config.WAGATE_VM_COMMAND_STOP),
        saveSnapshot: optional(config.WAGATE_VM_COMMAND_SNAPSHOT_SAVE),
        restoreSnapshot: optional(config.WAGATE_VM_COMMAND_SNAPSHOT_RESTORE),
      };
      return {
        ...common,
        provider: {
          kind: 'command',
          commands: Object.fromEntries(
            Object.entries(commands).filter(([, value]) => value !== undefined),
          ) as typeof commands,
        },
      };
    }
    default:
      return { ...common, provider: { kind: 'static' } };
  }
}

/** The serials (device keys) the configured provider's VMs will have once adb sees them. */
export function configuredVmKeys(config: VmConfig): string[] | undefined {
  const { provider } = config;
  if (provider.kind === 'emulator') return provider.vms.map((vm) => `emulator-${vm.port}`);
  if (provider.kind === 'redroid') return provider.vms.map((vm) => `${provider.adbHost}:${vm.adbPort}`);
  return undefined;
}

/**
 * The provider for this host, and how many VMs it holds (0: not counted — sim phones and
 * static devices take no VM budget of the agent's). Sim phones always get the sim provider;
 * `static` and `command` manage the drivers' own devices; `emulator` and `redroid` the VMs
 * configured for them. A managing provider refuses to start VMs beyond the budget.
 */
export function openHostVms(
  config: VmConfig,
  driver: 'sim' | 'adb' | 'automation',
  devices: { sim?: readonly SimDriver[]; keys: string[] },
): { provider: VmProvider; vmCapacity: number } {
  const provider = openVmProvider(config, driver, devices);
  if (provider.kind === 'sim' || provider.kind === 'static') return { provider, vmCapacity: 0 };
  return { provider: withCapacity(provider, config.budget), vmCapacity: vmCapacity(config.budget) };
}

function openVmProvider(
  config: VmConfig,
  driver: 'sim' | 'adb' | 'automation',
  devices: { sim?: readonly SimDriver[]; keys: string[] },
): VmProvider {
  const android = { adbPath: config.adbPath, bootTimeoutMs: config.bootTimeoutMs };
  if (driver === 'sim') return createSimProvider(devices.sim ?? []);
  const { provider } = config;
  if (driver === 'automation' && provider.kind !== 'static') {
    throw invalid('WAGATE_VM_PROVIDER', 'automation phones are not reached through adb: only static applies');
  }
  switch (provider.kind) {
    case 'emulator':
      return createEmulatorProvider({ ...android, ...provider });
    case 'redroid':
      return createRedroidProvider({ ...android, ...provider });
    case 'command':
      return createCommandProvider({ ...android, vmKeys: devices.keys, commands: provider.commands });
    default:
      return createStaticProvider({ ...android, vmKeys: devices.keys, adb: driver === 'adb' });
  }
}
