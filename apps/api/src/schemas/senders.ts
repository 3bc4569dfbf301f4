import { z } from '@hono/zod-openapi';
import { CursorQuery, LimitQuery, NextCursorSchema } from './common.js';

const senderExample = {
  senderId: 'sender_01JNRX8Q4W3M2K',
  name: 'MyCompany',
  numbers: ['79001234567'],
  devices: 3,
  devicesConnected: 3,
  queuedJobs: 0,
  createdAt: '2026-03-01T09:00:00.000Z',
};

export const SenderSchema = z
  .object({
    senderId: z.string().openapi({ description: "The sender's id.", example: senderExample.senderId }),
    name: z.string().openapi({ description: 'The name to send from (`from`).', example: 'MyCompany' }),
    numbers: z
      .array(z.string())
      .openapi({ description: "The WhatsApp numbers of the sender's devices.", example: ['79001234567'] }),
    devices: z.number().int().openapi({ description: 'Devices in the sender’s pool.', example: 3 }),
    devicesConnected: z
      .number()
      .int()
      .openapi({ description: 'Of those, devices connected now.', example: 3 }),
    queuedJobs: z
      .number()
      .int()
      .openapi({ description: 'Messages of this sender waiting for a device (its queue depth).', example: 0 }),
    createdAt: z
      .string()
      .openapi({ description: 'When the sender was created (ISO 8601).', example: senderExample.createdAt }),
  })
  .openapi('Sender', { description: 'A sender of the account.', example: senderExample });

export const ListSendersQuery = z.object({ limit: LimitQuery, cursor: CursorQuery });

export const SenderListSchema = z
  .object({
    data: z.array(SenderSchema).openapi({ description: 'Senders by name.', example: [senderExample] }),
    nextCursor: NextCursorSchema,
  })
  .openapi('SenderList', {
    description: 'One page of senders.',
    example: { data: [senderExample], nextCursor: null },
  });
