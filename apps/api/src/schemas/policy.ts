import { z } from '@hono/zod-openapi';
import { CursorQuery, LimitQuery, NextCursorSchema } from './common.js';

const updatedAt = z
  .string()
  .nullable()
  .openapi({ description: 'When it was last set; `null` if never.', example: '2026-03-01T09:30:00.000Z' });

export const BlocklistSchema = z
  .object({
    words: z
      .array(z.string().max(100))
      .max(1000)
      .openapi({
        description:
          'Words or phrases (1–100 characters, at most 1000). A message containing one, in any case and any ' +
          'script, between word boundaries, fails with 2017; "casino" does not match "casinos".',
        example: ['casino', 'быстрый заработок'],
      }),
    domains: z
      .array(z.string().max(300))
      .max(1000)
      .openapi({
        description:
          'URL domains (at most 1000). A message whose text or media URL names one or a subdomain of it — with or ' +
          'without `https://`, before a port or path — fails with 2017. Stored lower case without scheme, path or `*.`.',
        example: ['spam.example', 'win-prizes.example'],
      }),
  })
  .openapi('Blocklist', {
    description:
      "An account's own blocklist. It applies to the account's messages and those of every account below it; " +
      'the lists of the accounts above apply as well.',
  });

export const BlocklistViewSchema = BlocklistSchema.extend({ updatedAt }).openapi('BlocklistView');

export const OptOutSchema = z
  .object({
    recipient: z.string().openapi({ description: 'The phone number, digits only.', example: '79034567890' }),
    source: z.enum(['inbound', 'api']).openapi({
      description: '`inbound`: the recipient replied with a stop word; `api`: added through this API.',
      example: 'inbound',
    }),
    keyword: z
      .string()
      .nullable()
      .openapi({ description: 'The stop word they replied with; `null` for `api`.', example: 'STOP' }),
    createdAt: z
      .string()
      .openapi({ description: 'When they opted out.', example: '2026-03-01T09:30:00.000Z' }),
  })
  .openapi('OptOut');

export const OptOutListSchema = z
  .object({
    data: z.array(OptOutSchema).openapi({
      description: 'Opted-out recipients, newest first.',
      example: [
        {
          recipient: '79034567890',
          source: 'inbound',
          keyword: 'STOP',
          createdAt: '2026-03-01T09:30:00.000Z',
        },
      ],
    }),
    nextCursor: NextCursorSchema,
  })
  .openapi('OptOutList', { description: 'One page of the opt-out list.' });

export const OptOutListQuery = z.object({ limit: LimitQuery, cursor: CursorQuery });

export const AddOptOutsSchema = z
  .object({
    recipients: z
      .array(z.string().max(64))
      .min(1)
      .max(1000)
      .openapi({
        description:
          'Phone numbers in any form the send call takes (`+7 903 456-78-90` is `79034567890`), 1–1000.',
        example: ['79034567890'],
      }),
  })
  .openapi('AddOptOuts');

export const AddedOptOutsSchema = z
  .object({
    added: z.number().int().openapi({ description: 'How many were not on the list before.', example: 1 }),
  })
  .openapi('AddedOptOuts');

export const OptOutRecipientParam = z.object({
  recipient: z
    .string()
    .max(64)
    .openapi({
      param: { name: 'recipient', in: 'path' },
      description: 'The phone number, in any form the send call takes.',
      example: '79034567890',
    }),
});
