import { z } from '@hono/zod-openapi';
import { adminStates, deviceHistoryChanges, deviceStates } from '@wagate/contracts';
import { SupervisedAccountQuery } from '../http/supervisor.js';
import { CursorQuery, LimitQuery, NextCursorSchema } from './common.js';

const healthExample = {
  lastHeartbeatAt: '2026-03-01T09:00:00.000Z',
  batteryPercent: 87,
  screenOn: true,
  storageFreeBytes: 5_368_709_120,
  networkUp: true,
  whatsappState: 'logged_in',
};

const deviceExample = {
  deviceId: 'dev_01jnrx8q4w3m2k5v7c9d0e1f2g',
  accountId: 'acc_demo',
  agentId: 'agent-host-1',
  deviceKey: 'emulator-5554',
  phoneNumber: '79001234567',
  sender: 'MyCompany',
  state: 'online' as const,
  stateReason: 'reporting normally',
  stateChangedAt: '2026-03-01T08:00:00.000Z',
  adminState: 'active' as const,
  connected: true,
  accepting: true,
  androidVersion: '14',
  whatsappVersion: '2.24.10.85',
  driver: 'adb',
  health: healthExample,
  createdAt: '2026-02-01T09:00:00.000Z',
  pacing: { warmupDay: 3, newContactsToday: 12, newContactsAllowedToday: 80 },
  jobsToday: 57,
  recentResults: 'sssssfsss',
};

export const DevicePacingSchema = z
  .object({
    warmupDay: z.number().int().openapi({
      description: 'Day of its warm-up: day 1 is the UTC day fleet first paced the number.',
      example: 3,
    }),
    newContactsToday: z.number().int().openapi({ description: 'New contacts it started today (UTC).', example: 12 }),
    newContactsAllowedToday: z.number().int().openapi({
      description: 'New contacts it may start today: the warm-up allowance, then the daily cap (docs/pacing.md).',
      example: 80,
    }),
  })
  .openapi('DevicePacing', { description: "The pace of the device's number; `null` until fleet first paced it." });

const nullableNumber = (description: string, example: number) =>
  z.number().int().nullable().openapi({ description, example });
const nullableBoolean = (description: string, example: boolean) =>
  z.boolean().nullable().openapi({ description, example });

export const DeviceHealthSchema = z
  .object({
    lastHeartbeatAt: z.string().nullable().openapi({
      description: 'When the last heartbeat arrived (ISO 8601); null before the first.',
      example: healthExample.lastHeartbeatAt,
    }),
    batteryPercent: nullableNumber('Battery charge in percent; null when never reported.', 87),
    screenOn: nullableBoolean('Whether the screen was on.', true),
    storageFreeBytes: nullableNumber('Free storage in bytes.', healthExample.storageFreeBytes),
    networkUp: nullableBoolean('Whether the device had a network.', true),
    whatsappState: z.string().openapi({
      description:
        '`logged_in`, `logged_out`, `banned`, `update_required`, or empty before the first heartbeat.',
      example: 'logged_in',
    }),
  })
  .openapi('DeviceHealth', { description: "The device's last heartbeat.", example: healthExample });

export const DeviceSchema = z
  .object({
    deviceId: z.string().openapi({ description: "The device's id.", example: deviceExample.deviceId }),
    accountId: z.string().openapi({ description: 'The account that enrolled it.', example: 'acc_demo' }),
    agentId: z.string().openapi({ description: 'The agent host that drives it.', example: 'agent-host-1' }),
    deviceKey: z
      .string()
      .openapi({ description: 'Its identity on that host (adb serial, VM name).', example: 'emulator-5554' }),
    phoneNumber: z.string().openapi({ description: 'Its WhatsApp number, digits.', example: '79001234567' }),
    sender: z
      .string()
      .nullable()
      .openapi({ description: 'The sender pool it serves; null when none.', example: 'MyCompany' }),
    state: z.enum(deviceStates).openapi({
      description: 'Health: `online`, `offline`, `degraded`, `banned`, `logged_out` or `update_required`.',
      example: 'online',
    }),
    stateReason: z
      .string()
      .openapi({ description: 'Why it is in that state.', example: 'reporting normally' }),
    stateChangedAt: z.string().openapi({
      description: 'When it entered that state (ISO 8601).',
      example: deviceExample.stateChangedAt,
    }),
    adminState: z.enum(adminStates).openapi({
      description:
        '`active`, `quarantined` (takes no jobs) or `draining` (finishes its jobs, gets no new ones).',
      example: 'active',
    }),
    connected: z.boolean().openapi({ description: 'Its agent is connected now.', example: true }),
    accepting: z.boolean().openapi({
      description: 'It gets new jobs: connected, online or degraded, and active.',
      example: true,
    }),
    androidVersion: z.string().openapi({ description: 'Android version it reported.', example: '14' }),
    whatsappVersion: z
      .string()
      .openapi({ description: 'WhatsApp version it reported.', example: '2.24.10.85' }),
    driver: z.string().openapi({ description: '`adb` (a real phone or VM) or `sim`.', example: 'adb' }),
    health: DeviceHealthSchema,
    createdAt: z
      .string()
      .openapi({ description: 'When it first registered (ISO 8601).', example: deviceExample.createdAt }),
    pacing: DevicePacingSchema.nullable().openapi({ example: deviceExample.pacing }),
    jobsToday: z
      .number()
      .int()
      .openapi({ description: 'Jobs it finished since 00:00 UTC, sent or failed.', example: deviceExample.jobsToday }),
    recentResults: z.string().openapi({
      description: 'Its last job results, oldest first: `s` sent, `f` failed, `b` failed as a ban would.',
      example: deviceExample.recentResults,
    }),
  })
  .openapi('Device', { description: 'A phone or VM of the fleet.', example: deviceExample });

const historyExample = {
  at: '2026-03-01T08:00:00.000Z',
  change: 'state' as const,
  from: 'offline',
  to: 'online',
  reason: 'reporting normally',
};

export const DeviceHistoryEntrySchema = z
  .object({
    at: z.string().openapi({ description: 'When (ISO 8601).', example: historyExample.at }),
    change: z.enum(deviceHistoryChanges).openapi({
      description:
        'What changed: health `state`, `admin_state`, `sender` pool, a stuck-device `recovery`, or a VM `command` (restart, reboot, restore, install, screenshot).',
      example: 'state',
    }),
    from: z.string().openapi({ description: 'The value before.', example: 'offline' }),
    to: z.string().openapi({
      description:
        'The value after (for `recovery`: `requested` or `failed`; for `command`: `requested`, `succeeded`, `failed` or `expired`, with the action in `from`).',
      example: 'online',
    }),
    reason: z.string().openapi({ description: 'Why.', example: 'reporting normally' }),
  })
  .openapi('DeviceHistoryEntry', { description: 'One change of a device.', example: historyExample });

export const DeviceListSchema = z
  .object({
    data: z.array(DeviceSchema).openapi({ description: 'Devices, oldest first.', example: [deviceExample] }),
    nextCursor: NextCursorSchema,
  })
  .openapi('DeviceList', {
    description: 'One page of devices.',
    example: { data: [deviceExample], nextCursor: null },
  });

export const DeviceWithHistorySchema = z
  .object({
    device: DeviceSchema,
    history: z.array(DeviceHistoryEntrySchema).openapi({
      description: 'Its last changes, newest first (at most `historyLimit`).',
      example: [historyExample],
    }),
  })
  .openapi('DeviceWithHistory', {
    description: 'A device and its history.',
    example: { device: deviceExample, history: [historyExample] },
  });

export const DeviceResultSchema = z.object({ device: DeviceSchema }).openapi('DeviceResult', {
  description: 'The device after the change.',
  example: { device: deviceExample },
});

export const ListDevicesQuery = SupervisedAccountQuery.extend({ limit: LimitQuery, cursor: CursorQuery });

export const DeviceIdParam = z.object({
  deviceId: z
    .string()
    .min(1)
    .max(64)
    .openapi({
      param: { name: 'deviceId', in: 'path' },
      description: "The device's id.",
      example: deviceExample.deviceId,
    }),
});

export const GetDeviceQuery = z.object({
  historyLimit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: 'How many history entries (newest first), 1..100; default 50.', example: 20 }),
});

export const BindDeviceSchema = z
  .object({
    sender: z.string().min(1).max(64).openapi({
      description:
        "The sender pool of the device's account it serves from its next job on (made if missing).",
      example: 'MyCompany',
    }),
  })
  .openapi('BindDevice', { description: 'Which sender pool.', example: { sender: 'MyCompany' } });

export const DeviceReasonSchema = z
  .object({
    reason: z
      .string()
      .max(500)
      .optional()
      .openapi({ description: 'Why, for the history.', example: 'number reported for spam' }),
  })
  .openapi('DeviceAdminChange', { description: 'Why the change.', example: { reason: 'maintenance' } });

const tokenExample = {
  tokenId: 'enr_01jnrx8q4w3m2k5v7c9d0e1f2g',
  token: 'wae_3q2-7Yx0bH1uRkqfMZ8c9VtN4mA5sL6d',
  accountId: 'acc_demo',
  maxUses: 1,
  expiresAt: '2026-03-02T09:00:00.000Z',
  sender: 'MyCompany',
  createdAt: '2026-03-01T09:00:00.000Z',
};

export const CreateEnrolmentTokenSchema = z
  .object({
    maxUses: z.number().int().min(1).max(10_000).optional().openapi({
      description: 'How many agent hosts may enrol with it; default 1 (a one-time token).',
      example: 1,
    }),
    expiresAt: z.string().datetime({ offset: true }).optional().openapi({
      description: 'When it stops working (ISO 8601, in the future); default 24 hours from now.',
      example: tokenExample.expiresAt,
    }),
    sender: z.string().min(1).max(64).optional().openapi({
      description: 'The sender pool its devices join (made if missing); default none (bind them later).',
      example: 'MyCompany',
    }),
  })
  .openapi('CreateEnrolmentToken', {
    description: 'The token to make.',
    example: { maxUses: 1, sender: 'MyCompany' },
  });

export const EnrolmentTokenSchema = z
  .object({
    tokenId: z.string().openapi({ description: "The token's id.", example: tokenExample.tokenId }),
    token: z.string().openapi({
      description:
        "The token itself, shown this once (wagate keeps its SHA-256): the agent's WAGATE_ENROLMENT_TOKEN.",
      example: tokenExample.token,
    }),
    accountId: z
      .string()
      .openapi({ description: 'The account its devices enrol into.', example: 'acc_demo' }),
    maxUses: z.number().int().openapi({ description: 'Enrolments it allows.', example: 1 }),
    expiresAt: z.string().openapi({ description: 'When it stops working.', example: tokenExample.expiresAt }),
    sender: z
      .string()
      .nullable()
      .openapi({ description: 'The sender pool its devices join.', example: 'MyCompany' }),
    createdAt: z.string().openapi({ description: 'When it was made.', example: tokenExample.createdAt }),
  })
  .openapi('EnrolmentToken', { description: 'A new enrolment token.', example: tokenExample });
