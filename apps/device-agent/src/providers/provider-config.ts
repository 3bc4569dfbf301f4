import { type ConfigOf, ConfigError, env } from '@wagate/config';
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

/** The VM provider's variables (`WAGATE_VM_PROVIDER` and its own); see the agent's README. */
export const vmVariables = {
  WAGATE_VM_PROVIDER: env.oneOf(['static', 'emulator', 'redroid', 'command'], {
    default: 'static',
    description:
      "What starts, restarts and snapshots this host's phones: nothing (`static`), Android emulators, redroid containers, or commands of your own.",
  }),
  WAGATE_ADB_PATH: env.string({ default: 'adb', minLength: 1, description: 'The adb binary.' }),
  WAGATE_VM_BOOT_TIMEOUT_MS: env.int({
    default: 180_000,
    min: 1_000,
    unit: 'milliseconds',
    description: 'How long a VM may take to boot before it counts as failed.',
  }),
  WAGATE_EMULATOR_AVDS: env.string({
    optional: true,
    accepts: 'name@port[,name@port…], the console port even, 5554–5682',
    description: 'The AVDs WAGATE_VM_PROVIDER=emulator runs, each with its console port, e.g. wa1@5554.',
  }),
  WAGATE_EMULATOR_PATH: env.string({
    default: 'emulator',
    minLength: 1,
    description: 'The emulator binary.',
  }),
  WAGATE_EMULATOR_ARGS: env.string({ default: '', description: 'Extra arguments for every emulator.' }),
  WAGATE_REDROID_CONTAINERS: env.string({
    optional: true,
    accepts: 'name@port[,name@port…]',
    description: 'The containers WAGATE_VM_PROVIDER=redroid runs, each with its adb port, e.g. wa1@5555.',
  }),
  WAGATE_REDROID_IMAGE: env.string({
    default: 'redroid/redroid:14.0.0-latest',
    minLength: 1,
    description: 'The redroid image.',
  }),
  WAGATE_CONTAINER_CLI: env.string({
    default: 'docker',
    minLength: 1,
    description: 'docker, podman or the like.',
  }),
  WAGATE_REDROID_ADB_HOST: env.string({
    default: '127.0.0.1',
    minLength: 1,
    description: "Where the redroid containers' adb ports are reached.",
  }),
  WAGATE_VM_COMMAND_RESTART: env.string({
    optional: true,
    accepts: 'a command line with {vmKey}',
    description:
      'WAGATE_VM_PROVIDER=command: restarts one VM, e.g. "/usr/local/bin/restart-vm --serial {vmKey}".',
  }),
  WAGATE_VM_COMMAND_START: env.string({
    optional: true,
    accepts: 'a command line with {vmKey}',
    description: 'WAGATE_VM_PROVIDER=command: starts one VM.',
  }),
  WAGATE_VM_COMMAND_STOP: env.string({
    optional: true,
    accepts: 'a command line with {vmKey}',
    description: 'WAGATE_VM_PROVIDER=command: stops one VM.',
  }),
  WAGATE_VM_COMMAND_SNAPSHOT_SAVE: env.string({
    optional: true,
    accepts: 'a command line with {vmKey}',
    description: "WAGATE_VM_PROVIDER=command: saves one VM's snapshot.",
  }),
  WAGATE_VM_COMMAND_SNAPSHOT_RESTORE: env.string({
    optional: true,
    accepts: 'a command line with {vmKey}',
    description: "WAGATE_VM_PROVIDER=command: restores one VM's snapshot.",
  }),
  WAGATE_VM_CPUS: env.number({
    default: 2,
    min: 0.1,
    unit: 'CPUs',
    description: "What one VM takes of the host's CPUs.",
  }),
  WAGATE_VM_MEMORY_MB: env.int({
    default: 3_072,
    min: 1,
    unit: 'MB',
    description: "What one VM takes of the host's memory.",
  }),
  WAGATE_HOST_CPUS: env.number({
    optional: true,
    min: 0.1,
    unit: 'CPUs',
    description:
      'The CPUs VMs may use on this host; default all of them. The agent starts no more VMs than fit.',
  }),
  WAGATE_HOST_MEMORY_MB: env.int({
    optional: true,
    min: 1,
    unit: 'MB',
    description: 'The memory VMs may use on this host; default all of it.',
  }),
};

/** The VM provider's settings from its variables (`readConfig(vmVariables)`). */
export function readVmConfig(config: ConfigOf<typeof vmVariables>): VmConfig {
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
