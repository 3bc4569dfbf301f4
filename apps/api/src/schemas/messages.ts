import { z } from '@hono/zod-openapi';
import { MessageStatus } from '@wagate/errors';
import { limits } from '../validation/limits.js';
import { CursorQuery, LimitQuery, NextCursorSchema } from './common.js';

const statuses = Object.values(MessageStatus) as [MessageStatus, ...MessageStatus[]];

export const MessageIdParam = z.object({
  messageId: z.string().openapi({
    param: { name: 'messageId', in: 'path' },
    description: 'The id a send returned.',
    example: '120117657600000',
  }),
});

const StatusSchema = z.enum(statuses).openapi({
  description: 'ACCEPTED → SENT → DELIVERED → READ, or FAILED / EXPIRED.',
  example: 'DELIVERED',
});

/** The fields of a message as it was accepted, the same names as the send call's. */
const messageFields = {
  messageId: z
    .string()
    .openapi({ description: 'The message id (a 64-bit integer as a string; ids issued since 2026-12-06 are at most 2^53 − 1).', example: '120117657600000' }),
  from: z.string().openapi({ description: 'The sender.', example: 'MyCompany' }),
  to: z.string().openapi({ description: 'The recipient, digits only.', example: '79034567890' }),
  text: z.string().openapi({
    description: 'The text sent (a template message shows its rendered text).',
    example: 'Code: 1234',
  }),
  contentUrl: z
    .string()
    .optional()
    .openapi({ description: 'The media URL, if any.', example: 'https://example.com/files/invoice-42.pdf' }),
  contentName: z
    .string()
    .optional()
    .openapi({ description: 'The media file name, if any.', example: 'invoice-42.pdf' }),
  contentType: z
    .string()
    .optional()
    .openapi({ description: 'The media MIME type, if any.', example: 'application/pdf' }),
  callbackUrl: z.string().optional().openapi({
    description: 'Where status callbacks go, if given.',
    example: 'https://example.com/whatsapp/status',
  }),
  callbackData: z
    .string()
    .optional()
    .openapi({ description: 'Echoed in callbacks as `options`, if given.', example: 'order-42' }),
  templateId: z
    .string()
    .optional()
    .openapi({ description: 'The template, for a template message.', example: 'account_activated' }),
  templateParams: z
    .record(z.string(), z.string())
    .optional()
    .openapi({
      description: "The template's parameters, for a template message.",
      example: { '1': '+7(495) 646 00 54' },
    }),
  languageCode: z
    .string()
    .optional()
    .openapi({ description: "The template's language, if given.", example: 'ru' }),
  validity: z
    .number()
    .int()
    .optional()
    .openapi({ description: 'Seconds the message may wait, if given.', example: 86_400 }),
  status: StatusSchema,
  errorCode: z.number().int().openapi({
    description: 'The callback-time error code of the current status (2000–2313), 0 when none.',
    example: 0,
  }),
  acceptedAt: z.string().openapi({
    description: 'When the api accepted the message (ISO 8601).',
    example: '2026-03-01T10:15:30.123Z',
  }),
};

const HistoryEntrySchema = z
  .object({
    status: StatusSchema,
    errorCode: z
      .number()
      .int()
      .openapi({ description: 'Error code with this status, 0 when none.', example: 0 }),
    ts: z
      .number()
      .int()
      .openapi({ description: 'When the status happened, ms since the epoch.', example: 1772360130123 }),
    source: z.string().openapi({
      description:
        'Where the status came from: `api`, `device:<id>`, or `policy` (dispatch policy decided it).',
      example: 'api',
    }),
    rule: z.string().optional().openapi({
      description:
        'The dispatch-policy rule that decided this status (`duplicate`, `self-send`), when one did.',
      example: 'duplicate',
    }),
    reason: z.string().optional().openapi({
      description: 'Why the rule decided so, when one did.',
      example: 'the same message (sender, recipient and content) as 3482512350952730368, within 300 s',
    }),
  })
  .openapi('StatusEntry', {
    description: 'One status of a message.',
    example: { status: 'ACCEPTED', errorCode: 0, ts: 1772360130123, source: 'api' },
  });

const detailExample = {
  messageId: '3482512350952730368',
  from: 'MyCompany',
  to: '79034567890',
  text: 'Code: 1234',
  callbackData: 'order-42',
  status: 'SENT' as const,
  errorCode: 0,
  acceptedAt: '2026-03-01T10:15:30.123Z',
  history: [
    { status: 'ACCEPTED' as const, errorCode: 0, ts: 1772360130123, source: 'api' },
    { status: 'SENT' as const, errorCode: 0, ts: 1772360135456, source: 'device:dev_01' },
  ],
};

const waitingExample = {
  rule: 'pacing',
  reason: 'the number waits 5 s between messages to new contacts',
  until: '2026-03-01T10:15:35.123Z',
};

export const WaitingSchema = z
  .object({
    rule: z.string().openapi({
      description:
        'What holds it: `pacing`, `warm-up` or `new-contact-cap` (the sending number protects itself from a ban), ' +
        '`no-device` (no number of the sender is connected and accepting), `conversation-order` (an earlier message ' +
        'to the same recipient goes first), `device-busy`, `next-in-line`, or `sending` (a device has it and has not reported).',
      example: waitingExample.rule,
    }),
    reason: z.string().openapi({ description: 'The same in words.', example: waitingExample.reason }),
    until: z.string().optional().openapi({
      description: 'When the wait ends (ISO 8601), when the gateway can tell.',
      example: waitingExample.until,
    }),
  })
  .openapi('Waiting', {
    description: 'Why an accepted message has not been sent yet.',
    example: waitingExample,
  });

export const MessageDetailSchema = z
  .object({
    ...messageFields,
    history: z
      .array(HistoryEntrySchema)
      .openapi({ description: 'Every status, oldest first.', example: detailExample.history }),
    waiting: WaitingSchema.optional().openapi({
      description:
        'Only while the message is accepted but not yet sent: what delays it, as the device fleet sees it now.',
      example: waitingExample,
    }),
  })
  .openapi('Message', { description: 'A message with its status history.', example: detailExample });

const summaryExample = {
  messageId: '3482512350952730368',
  from: 'MyCompany',
  to: '79034567890',
  text: 'Code: 1234',
  status: 'DELIVERED' as const,
  errorCode: 0,
  acceptedAt: '2026-03-01T10:15:30.123Z',
  updatedAt: '2026-03-01T10:15:41.001Z',
};

export const MessageSummarySchema = z
  .object({
    ...messageFields,
    updatedAt: z.string().openapi({
      description: 'When the status last changed (ISO 8601).',
      example: '2026-03-01T10:15:41.001Z',
    }),
  })
  .openapi('MessageSummary', { description: 'A message and its current status.', example: summaryExample });

const timestamp = (what: string, example: string) =>
  z.iso
    .datetime({
      offset: true,
      error: `\`${what}\` must be an ISO 8601 date-time such as 2026-03-01T00:00:00Z`,
    })
    .optional()
    .openapi({
      description: `Messages accepted ${what === 'from' ? 'at or after' : 'before'} this time (ISO 8601 with Z or an offset).`,
      example,
    });

export const ListMessagesQuery = z.object({
  sender: z
    .string()
    .max(limits.maxSenderLength)
    .optional()
    .openapi({ description: 'Only messages from this sender.', example: 'MyCompany' }),
  recipient: z.string().max(64).optional().openapi({
    description:
      'Only messages to this number, in any form the send call takes (`+7 903 456-78-90` is `79034567890`).',
    example: '79034567890',
  }),
  status: z
    .enum(statuses)
    .optional()
    .openapi({ description: 'Only messages whose current status is this.', example: 'DELIVERED' }),
  from: timestamp('from', '2026-03-01T00:00:00Z'),
  to: timestamp('to', '2026-03-02T00:00:00Z'),
  limit: LimitQuery,
  cursor: CursorQuery,
});

export const MessageListSchema = z
  .object({
    data: z
      .array(MessageSummarySchema)
      .openapi({ description: 'Messages, newest first.', example: [summaryExample] }),
    nextCursor: NextCursorSchema,
  })
  .openapi('MessageList', {
    description: 'One page of messages.',
    example: { data: [summaryExample], nextCursor: null },
  });
