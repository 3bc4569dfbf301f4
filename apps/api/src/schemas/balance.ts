import { z } from '@hono/zod-openapi';

const example = {
  accountId: 'acc_demo',
  currency: 'RUB',
  balanceMinor: 150_000,
  reservedMinor: 1_200,
  creditLimitMinor: null,
};

export const BalanceSchema = z
  .object({
    accountId: z.string().openapi({ description: 'The account.', example: 'acc_demo' }),
    currency: z.string().openapi({ description: 'ISO 4217 currency code.', example: 'RUB' }),
    balanceMinor: z
      .number()
      .int()
      .openapi({ description: 'The balance in minor units (kopecks, cents).', example: 150_000 }),
    reservedMinor: z.number().int().openapi({
      description: 'Funds held by messages accepted and not yet sent, failed or expired, in minor units.',
      example: 1_200,
    }),
    creditLimitMinor: z.number().int().nullable().openapi({
      description: 'How far the balance may go below zero, in minor units; `null` when it may not.',
      example: null,
    }),
  })
  .openapi('Balance', { description: "The account's prepaid balance.", example });
