import { z } from '@hono/zod-openapi';

const day = (description: string, example: string) =>
  z
    .string({ error: `a date such as ${example}` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: `must be a date such as ${example}` })
    .openapi({ description, example });

export const UsageQuery = z.object({
  from: day('First day (UTC), inclusive.', '2026-12-01'),
  to: day('Last day (UTC), inclusive.', '2026-12-31'),
  accountId: z.string().min(1).max(64).optional().openapi({
    description: 'Whose subtree: yours (the default) or an account in it.',
    example: 'acc_01jz3k4m5n6p7q8r9s0t1v2w3x',
  }),
  groupBy: z
    .string()
    .regex(/^(day|account|sender|status|country)(,(day|account|sender|status|country))*$/, {
      error: '`groupBy` is a comma list of day, account, sender, status, country',
    })
    .optional()
    .openapi({
      description: 'Comma list of day, account, sender, status, country; default `day`.',
      example: 'day,sender',
    }),
  format: z.enum(['json', 'csv'], { error: '`format` must be json or csv' }).optional().openapi({
    description: '`csv` answers `text/csv` with a header row (also chosen by `Accept: text/csv`).',
    example: 'json',
  }),
});

export const UsageRowSchema = z
  .object({
    day: z.string().nullable().openapi({ description: 'The UTC day.', example: '2026-12-01' }),
    accountId: z.string().nullable().openapi({ description: 'The sending account.', example: 'acc_demo' }),
    sender: z
      .string()
      .nullable()
      .openapi({ description: 'The sender, as the messages named it.', example: 'MyCompany' }),
    status: z
      .string()
      .nullable()
      .openapi({ description: "The messages' latest status.", example: 'DELIVERED' }),
    country: z
      .string()
      .nullable()
      .openapi({ description: 'Recipient country; `ZZ` when unknown.', example: 'RU' }),
    messages: z.number().int().openapi({ description: 'Messages accepted.', example: 1_250 }),
    amountMinor: z
      .number()
      .int()
      .openapi({
        description: 'What the sending accounts paid for these messages (sent ones).',
        example: 125_000,
      }),
  })
  .openapi('UsageRow', { description: 'One group; dimensions not grouped by are `null`.' });

export const UsageSchema = z
  .object({
    currency: z.string().openapi({ description: 'ISO 4217: the currency of every amount.', example: 'RUB' }),
    data: z.array(UsageRowSchema).openapi({
      description: 'One row per group.',
      example: [
        {
          day: '2026-12-01',
          accountId: null,
          sender: null,
          status: null,
          country: null,
          messages: 1_250,
          amountMinor: 125_000,
        },
      ],
    }),
  })
  .openapi('Usage');
