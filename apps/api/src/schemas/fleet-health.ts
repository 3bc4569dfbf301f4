import { z } from '@hono/zod-openapi';
import { adminStates, deviceStates } from '@wagate/contracts';
import { SubtreeAccountQuery } from '../http/supervisor.js';

export const FleetHealthQuery = SubtreeAccountQuery.extend({
  worst: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .optional()
    .openapi({ description: 'How many of the worst devices to list, 1..50; default 10.', example: 10 }),
});

const countExample = { state: 'banned' as const, adminState: 'quarantined' as const, count: 1 };
const troubleExample = {
  deviceId: 'dev_01jnrx8q4w3m2k5v7c9d0e1f2g',
  accountId: 'acc_demo',
  phoneNumber: '79001234567',
  sender: 'MyCompany',
  state: 'banned' as const,
  adminState: 'quarantined' as const,
  why: 'banned: WhatsApp reports the number banned; quarantined; 3 of its last 5 jobs failed',
  recentFailures: 3,
  recentResults: 5,
  lastHeartbeatAt: '2026-03-01T09:00:00.000Z',
};
const queueExample = {
  senderId: 'snd_01jnrx8q4w3m2k5v7c9d0e1f2g',
  sender: 'MyCompany',
  accountId: 'acc_demo',
  queued: 42,
  inFlight: 3,
  oldestQueuedAt: '2026-03-01T08:58:00.000Z',
  usableDevices: 2,
  devices: 3,
};

const described = <T extends z.ZodType>(schema: T, description: string, example: unknown) =>
  schema.openapi({ description, example });

const DeviceCountSchema = z
  .object({
    state: described(z.enum(deviceStates), 'Health state.', countExample.state),
    adminState: described(z.enum(adminStates), 'Admin state.', countExample.adminState),
    count: described(z.number().int(), 'Devices in both.', countExample.count),
  })
  .openapi('DeviceCount', {
    description: 'How many devices are in one state and admin state.',
    example: countExample,
  });

const DeviceTroubleSchema = z
  .object({
    deviceId: described(z.string(), 'The device.', troubleExample.deviceId),
    accountId: described(z.string(), 'Its account.', troubleExample.accountId),
    phoneNumber: described(z.string(), 'Its WhatsApp number.', troubleExample.phoneNumber),
    sender: described(z.string(), 'Its sender pool; empty when in none.', troubleExample.sender),
    state: described(z.enum(deviceStates), 'Health state.', troubleExample.state),
    adminState: described(z.enum(adminStates), 'Admin state.', troubleExample.adminState),
    why: described(z.string(), 'Why it is listed, in words.', troubleExample.why),
    recentFailures: described(
      z.number().int(),
      'Failed jobs among its last results.',
      troubleExample.recentFailures,
    ),
    recentResults: described(
      z.number().int(),
      'How many last results are kept.',
      troubleExample.recentResults,
    ),
    lastHeartbeatAt: described(
      z.string().nullable(),
      'Its last heartbeat (ISO 8601); null before the first.',
      troubleExample.lastHeartbeatAt,
    ),
  })
  .openapi('DeviceTrouble', { description: 'A device that cannot send, or fails.', example: troubleExample });

const SenderQueueSchema = z
  .object({
    senderId: described(z.string(), 'The sender pool.', queueExample.senderId),
    sender: described(z.string(), 'Its name (the `from` of messages).', queueExample.sender),
    accountId: described(z.string(), 'Its account.', queueExample.accountId),
    queued: described(z.number().int(), 'Messages waiting for a device.', queueExample.queued),
    inFlight: described(
      z.number().int(),
      'Messages handed to a device and not finished.',
      queueExample.inFlight,
    ),
    oldestQueuedAt: described(
      z.string().nullable(),
      'When the oldest waiting message was queued (ISO 8601); null when none waits.',
      queueExample.oldestQueuedAt,
    ),
    usableDevices: described(
      z.number().int(),
      'Devices online (or degraded) and active.',
      queueExample.usableDevices,
    ),
    devices: described(z.number().int(), 'Devices in the pool.', queueExample.devices),
  })
  .openapi('SenderQueue', { description: "A sender pool's queue and devices.", example: queueExample });

export const FleetHealthSchema = z
  .object({
    devices: described(
      z.array(DeviceCountSchema),
      'Devices by state and admin state: every combination, zeros included.',
      [countExample],
    ),
    worst: described(
      z.array(DeviceTroubleSchema),
      'Devices that are not online and active or that failed recent jobs, worst first: banned, logged out, ' +
        'update required, offline, degraded; then quarantined or draining; then by failures.',
      [troubleExample],
    ),
    queues: described(z.array(SenderQueueSchema), 'Every sender pool of the accounts, with its queue.', [
      queueExample,
    ]),
  })
  .openapi('FleetHealth', {
    description: 'The health of the devices of an account tree at a glance.',
    example: { devices: [countExample], worst: [troubleExample], queues: [queueExample] },
  });
