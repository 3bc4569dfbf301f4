import { z } from '@hono/zod-openapi';
import { SubtreeAccountQuery } from '../http/supervisor.js';

export const vmActionNames = [
  'restart_vm',
  'reboot_android',
  'restore_snapshot',
  'install_apk',
  'screenshot',
] as const;
export const vmCommandStates = ['pending', 'sent', 'succeeded', 'failed', 'expired'] as const;

const commandExample = {
  commandId: 'cmd_06h4nq2x7c3k9m1v5b8d0f2g4j',
  deviceId: 'dev_01jnrx8q4w3m2k5v7c9d0e1f2g',
  action: 'restart_vm' as const,
  state: 'pending' as const,
  error: '',
  requestedBy: 'acc_demo',
  createdAt: '2026-03-01T09:00:00.000Z',
  deadlineAt: '2026-03-01T09:05:00.000Z',
  finishedAt: null,
  screenshotUrl: null,
};

export const DeviceCommandSchema = z
  .object({
    commandId: z.string().openapi({ description: "The command's id.", example: commandExample.commandId }),
    deviceId: z.string().openapi({ description: 'The device it acts on.', example: commandExample.deviceId }),
    action: z
      .enum(vmActionNames)
      .openapi({ description: 'What the agent does to the VM.', example: 'restart_vm' }),
    state: z.enum(vmCommandStates).openapi({
      description:
        '`pending` (not yet on the agent), `sent`, `succeeded`, `failed`, or `expired` (no outcome before the deadline).',
      example: 'pending',
    }),
    error: z.string().openapi({ description: 'Why it failed or expired; empty otherwise.', example: '' }),
    requestedBy: z.string().openapi({ description: 'Who asked for it.', example: 'acc_demo' }),
    createdAt: z
      .string()
      .openapi({ description: 'When it was asked for.', example: commandExample.createdAt }),
    deadlineAt: z
      .string()
      .openapi({ description: 'Not started after this.', example: commandExample.deadlineAt }),
    finishedAt: z.string().nullable().openapi({ description: 'When it got its outcome.', example: null }),
    screenshotUrl: z.string().nullable().openapi({
      description: 'For a finished screenshot: where its PNG is (GET, with your API key).',
      example: null,
    }),
  })
  .openapi('DeviceCommand', {
    description: "A command to a device's VM, through its agent.",
    example: commandExample,
  });

export const DeviceCommandResultSchema = z
  .object({ command: DeviceCommandSchema })
  .openapi('DeviceCommandResult', { description: 'The command.', example: { command: commandExample } });

const timeoutMs = z.number().int().min(1_000).max(3_600_000).optional().openapi({
  description: 'Deadline from now in ms (default: 5 min for a restart, 10 min for a restore).',
  example: 300_000,
});

export const RestartDeviceSchema = z
  .object({
    target: z.enum(['vm', 'android']).optional().openapi({
      description: '`vm` (default) restarts the whole VM; `android` reboots Android inside it.',
      example: 'vm',
    }),
    timeoutMs,
  })
  .openapi('RestartDevice', { description: 'What to restart.', example: { target: 'vm' } });

export const RestoreDeviceSchema = z
  .object({
    snapshot: z
      .string()
      .regex(/^[A-Za-z0-9][\w.-]{0,63}$/, 'a letter or digit, then up to 63 letters, digits, ".", "_" or "-"')
      .openapi({ description: 'The snapshot saved on the VM (on its host).', example: 'known-good' }),
    timeoutMs,
  })
  .openapi('RestoreDevice', { description: 'Which snapshot.', example: { snapshot: 'known-good' } });

export const CommandIdParam = z.object({
  deviceId: z
    .string()
    .min(1)
    .max(64)
    .openapi({
      param: { name: 'deviceId', in: 'path' },
      description: "The device's id.",
      example: commandExample.deviceId,
    }),
  commandId: z
    .string()
    .min(1)
    .max(64)
    .openapi({
      param: { name: 'commandId', in: 'path' },
      description: "The command's id.",
      example: commandExample.commandId,
    }),
});

const hostExample = {
  provider: 'emulator',
  vmsTotal: 6,
  vmsRunning: 6,
  vmCapacity: 8,
  vmFree: 2,
  cpuCores: 32,
  loadAverage1m: 11.5,
  memoryTotalBytes: 137438953472,
  memoryFreeBytes: 41231686041,
  diskTotalBytes: 2000398934016,
  diskFreeBytes: 1200239360409,
};

export const AgentSchema = z
  .object({
    agentId: z.string().openapi({ description: "The agent host's id.", example: 'agent-host-1' }),
    accountId: z.string().openapi({ description: 'The account it enrolled under.', example: 'acc_demo' }),
    connected: z
      .boolean()
      .openapi({ description: 'Its stream is up (on the answering fleet process).', example: true }),
    devices: z.number().int().openapi({ description: 'Devices it has registered.', example: 6 }),
    reportedAt: z
      .string()
      .nullable()
      .openapi({ description: 'When it last reported its host.', example: '2026-03-01T09:00:00.000Z' }),
    host: z
      .object({
        provider: z
          .string()
          .openapi({ description: 'Its VM provider: emulator, redroid, static, command or sim.' }),
        vmsTotal: z.number().int().openapi({ description: 'VMs it has.' }),
        vmsRunning: z.number().int().openapi({ description: 'VMs running or booting.' }),
        vmCapacity: z
          .number()
          .int()
          .openapi({ description: 'VMs its budget (CPU and memory per VM) holds; 0: no budget set.' }),
        vmFree: z
          .number()
          .int()
          .openapi({ description: 'VMs it could still start: capacity minus running (never below 0).' }),
        cpuCores: z.number().int(),
        loadAverage1m: z.number(),
        memoryTotalBytes: z.number().int(),
        memoryFreeBytes: z.number().int(),
        diskTotalBytes: z.number().int(),
        diskFreeBytes: z.number().int(),
      })
      .nullable()
      .openapi({
        description: 'As the agent last reported it; null before its first report.',
        example: hostExample,
      }),
  })
  .openapi('Agent', { description: 'An agent host and its VMs.' });

export const AgentListSchema = z
  .object({
    data: z.array(AgentSchema).openapi({ description: 'The agent hosts, by id.', example: [] }),
  })
  .openapi('AgentList', { description: 'Agent hosts.' });

export const AgentListQuery = SubtreeAccountQuery;

const rolloutExample = {
  rolloutId: 'rol_06h4nq2x7c3k9m1v5b8d0f2g4j',
  accountId: 'acc_demo',
  apkUrl: 'https://downloads.example.com/WhatsApp-2.26.1.apk',
  apkSha256: 'a3f5c0e1b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6',
  state: 'running' as const,
  reason: '',
  wave: 2,
  devicesTotal: 200,
  devicesSucceeded: 10,
  devicesFailed: 0,
  devicesInProgress: 20,
  firstWaveShare: 0.05,
  growth: 2,
  maxFailureRate: 0.2,
  createdAt: '2026-03-01T09:00:00.000Z',
  finishedAt: null,
};

export const CreateRolloutSchema = z
  .object({
    apkUrl: z.string().url().max(2_000).openapi({
      description: 'Where the agents fetch the APK (http or https, a public address).',
      example: rolloutExample.apkUrl,
    }),
    apkSha256: z
      .string()
      .regex(/^[\da-fA-F]{64}$/, 'expected 64 hex digits')
      .openapi({
        description: "The APK's SHA-256; an APK that differs is not installed.",
        example: rolloutExample.apkSha256,
      }),
    firstWaveShare: z.number().gt(0).max(1).optional().openapi({
      description: 'Share of the devices in the first wave; default 0.05 (at least one device).',
      example: 0.05,
    }),
    growth: z
      .number()
      .gt(1)
      .max(100)
      .optional()
      .openapi({ description: 'Each next wave is this many times the last; default 2.', example: 2 }),
    maxFailureRate: z.number().gt(0).lt(1).optional().openapi({
      description: 'A wave whose failed share is above this halts the rollout; default 0.2.',
      example: 0.2,
    }),
  })
  .openapi('CreateRollout', {
    description: 'The APK and how fast to widen.',
    example: { apkUrl: rolloutExample.apkUrl, apkSha256: rolloutExample.apkSha256 },
  });

export const RolloutSchema = z
  .object({
    rolloutId: z.string().openapi({ description: "The rollout's id.", example: rolloutExample.rolloutId }),
    accountId: z.string().openapi({ description: 'Whose devices it installs on.', example: 'acc_demo' }),
    apkUrl: z
      .string()
      .openapi({ description: 'Where the agents fetch the APK.', example: rolloutExample.apkUrl }),
    apkSha256: z.string().openapi({ description: "The APK's SHA-256.", example: rolloutExample.apkSha256 }),
    state: z.enum(['running', 'completed', 'halted']).openapi({
      description: '`halted`: a wave failed above the threshold; `reason` says which.',
      example: 'running',
    }),
    reason: z
      .string()
      .openapi({ description: 'Why it halted or how it completed; empty while running.', example: '' }),
    wave: z
      .number()
      .int()
      .openapi({ description: 'The wave being installed (from 1), or the last one.', example: 2 }),
    devicesTotal: z
      .number()
      .int()
      .openapi({ description: 'Devices of the account it covers.', example: 200 }),
    devicesSucceeded: z.number().int().openapi({ description: 'Devices that installed it.', example: 10 }),
    devicesFailed: z.number().int().openapi({ description: 'Installs that failed or expired.', example: 0 }),
    devicesInProgress: z
      .number()
      .int()
      .openapi({ description: 'Installs given to agents and not finished.', example: 20 }),
    firstWaveShare: z
      .number()
      .openapi({ description: 'Share of the devices in the first wave.', example: 0.05 }),
    growth: z.number().openapi({ description: 'How much larger each wave is than the last.', example: 2 }),
    maxFailureRate: z.number().openapi({ description: 'The failed share that halts it.', example: 0.2 }),
    createdAt: z.string().openapi({ description: 'When it started.', example: rolloutExample.createdAt }),
    finishedAt: z.string().nullable().openapi({ description: 'When it completed or halted.', example: null }),
  })
  .openapi('Rollout', { description: 'A staged install of an APK.', example: rolloutExample });

export const RolloutResultSchema = z
  .object({ rollout: RolloutSchema })
  .openapi('RolloutResult', { description: 'The rollout.', example: { rollout: rolloutExample } });

export const RolloutIdParam = z.object({
  rolloutId: z
    .string()
    .min(1)
    .max(64)
    .openapi({
      param: { name: 'rolloutId', in: 'path' },
      description: "The rollout's id.",
      example: rolloutExample.rolloutId,
    }),
});
