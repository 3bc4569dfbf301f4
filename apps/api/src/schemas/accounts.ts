import { z } from '@hono/zod-openapi';
import { CursorQuery, LimitQuery, NextCursorSchema } from './common.js';

const accountId = (description: string) =>
  z.string().min(1).max(64).openapi({ description, example: 'acc_01jz3k4m5n6p7q8r9s0t1v2w3x' });

export const AccountIdParam = z.object({
  accountId: accountId('The account: yours, or one in your subtree.').openapi({
    param: { name: 'accountId', in: 'path' },
  }),
});

const accountExample = {
  id: 'acc_01jz3k4m5n6p7q8r9s0t1v2w3x',
  name: 'Acme Shop',
  kind: 'customer' as const,
  status: 'active' as const,
  parentId: 'acc_01jz3k0000reseller00000000',
  currency: 'RUB',
  balanceMinor: 500_000,
  reservedMinor: 1_200,
  creditLimitMinor: null,
  markupBps: 1_000,
  dailyQuota: 10_000,
  monthlyQuota: null,
  createdAt: '2026-12-01T10:00:00.000Z',
};

const money = (description: string) => z.number().int().openapi({ description, example: 500_000 });
const quota = (period: string) =>
  z
    .number()
    .int()
    .nullable()
    .openapi({
      description: `Messages the account and its whole subtree may send per UTC ${period}; \`null\`: no quota of its own (an ancestor's still applies).`,
      example: 10_000,
    });

export const AccountSchema = z
  .object({
    id: z.string().openapi({ description: 'The account id.', example: accountExample.id }),
    name: z.string().openapi({ description: 'A name for people.', example: accountExample.name }),
    kind: z.enum(['platform', 'reseller', 'customer']).openapi({
      description: '`platform` (the root), `reseller` (may have sub-accounts) or `customer` (may not).',
      example: 'customer',
    }),
    status: z.enum(['active', 'suspended', 'closed']).openapi({
      description:
        '`suspended`: nothing in its subtree can send or use its keys until reactivated; `closed`: final, its keys are revoked.',
      example: 'active',
    }),
    parentId: z
      .string()
      .nullable()
      .openapi({
        description: 'The parent account; `null` for the platform.',
        example: accountExample.parentId,
      }),
    currency: z
      .string()
      .openapi({
        description: 'ISO 4217; every amount of the account is in its minor units.',
        example: 'RUB',
      }),
    balanceMinor: money('The balance in minor units; the sum of its ledger entries.'),
    reservedMinor: money('Held by messages accepted and not yet sent, failed or expired.'),
    creditLimitMinor: z.number().int().nullable().openapi({
      description: 'How far the balance may go below zero; `null` when it may not.',
      example: null,
    }),
    markupBps: z.number().int().openapi({
      description:
        "What the account pays over its parent's own price where no price is set for it, in basis points (1000 = +10 %).",
      example: 1_000,
    }),
    dailyQuota: quota('day'),
    monthlyQuota: quota('month'),
    createdAt: z.string().openapi({ description: 'ISO 8601.', example: accountExample.createdAt }),
  })
  .openapi('Account', {
    description: 'An account of the tree: the platform, a reseller or a customer.',
    example: accountExample,
  });

export const AccountListSchema = z
  .object({
    data: z
      .array(AccountSchema)
      .openapi({ description: 'The accounts of this page.', example: [accountExample] }),
    nextCursor: NextCursorSchema,
  })
  .openapi('AccountList', { description: 'One page of accounts, oldest first.' });

export const ListAccountsQuery = z.object({
  parentId: accountId('Only the direct children of this account (in your subtree).').optional(),
  status: z
    .enum(['active', 'suspended', 'closed'], { error: '`status` must be active, suspended or closed' })
    .optional()
    .openapi({ description: 'Only accounts with this status.', example: 'active' }),
  limit: LimitQuery,
  cursor: CursorQuery,
});

const markup = z
  .number({ error: '`markupBps` must be a whole number of basis points' })
  .int({ error: '`markupBps` must be a whole number of basis points' })
  .min(0, { error: '`markupBps` must be from 0 to 1000000' })
  .max(1_000_000, { error: '`markupBps` must be from 0 to 1000000' });

const name = z
  .string({ error: '`name` must be a string' })
  .trim()
  .min(1, { error: '`name` must not be empty' })
  .max(200, { error: '`name` must be at most 200 characters' });

export const CreateAccountSchema = z
  .object({
    name: name.openapi({ description: 'A name for people.', example: 'Acme Shop' }),
    kind: z.enum(['reseller', 'customer'], { error: '`kind` must be "reseller" or "customer"' }).openapi({
      description: '`reseller` may have sub-accounts of its own; `customer` may not.',
      example: 'customer',
    }),
    parentId: accountId(
      'Where to create it: your account (the default) or a reseller in your subtree.',
    ).optional(),
    markupBps: markup
      .optional()
      .openapi({ description: 'Markup over your price, in basis points; default 0.', example: 1_000 }),
  })
  .openapi('CreateAccount', { example: { name: 'Acme Shop', kind: 'customer', markupBps: 1_000 } });

const limitValue = (what: string, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: `\`${what}\` must be a whole number or null` })
    .int({ error: `\`${what}\` must be a whole number or null` })
    .min(0, { error: `\`${what}\` must not be negative` })
    .max(max, { error: `\`${what}\` must be at most ${max}` })
    .nullable();
const MAX_QUOTA = 2_000_000_000;

export const UpdateAccountSchema = z
  .object({
    name: name.optional().openapi({ description: 'A name for people.', example: 'Acme Shop' }),
    status: z
      .enum(['active', 'suspended', 'closed'], {
        error: '`status` must be "active", "suspended" or "closed"',
      })
      .optional()
      .openapi({
        description: 'Suspend, reactivate, or close for good (every sub-account must be closed first).',
        example: 'suspended',
      }),
    markupBps: markup
      .optional()
      .openapi({ description: "Markup over the parent's price, in basis points.", example: 1_500 }),
    creditLimitMinor: limitValue('creditLimitMinor').optional().openapi({
      description: 'How far the balance may go below zero; `null` removes the credit.',
      example: 50_000,
    }),
    dailyQuota: limitValue('dailyQuota', MAX_QUOTA)
      .optional()
      .openapi({ description: 'Messages per UTC day for the subtree; `null` removes it.', example: 10_000 }),
    monthlyQuota: limitValue('monthlyQuota', MAX_QUOTA)
      .optional()
      .openapi({
        description: 'Messages per UTC month for the subtree; `null` removes it.',
        example: 200_000,
      }),
  })
  .openapi('UpdateAccount', {
    description:
      'Only the fields given change. For accounts below yours: an account cannot change its own status, credit or quotas.',
    example: { status: 'suspended' },
  });

const priceKind = z.enum(
  ['text', 'media', 'template:marketing', 'template:utility', 'template:authentication'],
  {
    error: '`kind` must be text, media, template:marketing, template:utility or template:authentication',
  },
);

export const PriceSchema = z
  .object({
    country: z
      .string({ error: '`country` must be a string' })
      .regex(/^([A-Z]{2}|\*)$/, {
        error: '`country` must be an ISO 3166 code such as "RU", or "*" for any country',
      })
      .openapi({
        description: "The recipient's country (ISO 3166-1 alpha-2), or `*` for any country.",
        example: 'RU',
      }),
    kind: priceKind.openapi({
      description: 'What the message is: a session `text`, `media`, or a template of its category.',
      example: 'text',
    }),
    priceMinor: z
      .number({ error: '`priceMinor` must be a whole number of minor units' })
      .int({ error: '`priceMinor` must be a whole number of minor units' })
      .min(0, { error: '`priceMinor` must not be negative' })
      .max(Number.MAX_SAFE_INTEGER, { error: '`priceMinor` is too large' })
      .openapi({ description: 'Price per message in minor units.', example: 150 }),
  })
  .openapi('Price');

export const PricesSchema = z
  .object({
    accountId: z.string().openapi({ description: 'The account.', example: accountExample.id }),
    currency: z.string().openapi({ description: 'ISO 4217: the currency of every price.', example: 'RUB' }),
    markupBps: z
      .number()
      .int()
      .openapi({ description: "Applied to the parent's price where the list sets nothing.", example: 1_000 }),
    prices: z.array(PriceSchema).openapi({
      description: 'The list set for the account by its parent.',
      example: [{ country: '*', kind: 'text', priceMinor: 150 }],
    }),
    effective: z.array(PriceSchema).openapi({
      description:
        'With `?country=`: what each kind of message to that country costs the account, as it is charged.',
      example: [{ country: 'RU', kind: 'text', priceMinor: 165 }],
    }),
  })
  .openapi('Prices', {
    description:
      "What an account pays per message. A kind and country the list does not set costs the parent's own price plus `markupBps`, rounded up; a country not listed takes the `*` price.",
  });

export const SetPricesSchema = z
  .object({
    prices: z
      .array(PriceSchema, { error: '`prices` must be an array' })
      .max(2_000, { error: '`prices` takes at most 2000 entries' })
      .openapi({
        description: 'The whole list; it replaces the previous one. `[]` clears it.',
        example: [{ country: '*', kind: 'text', priceMinor: 150 }],
      }),
  })
  .openapi('SetPrices', {
    example: {
      prices: [
        { country: '*', kind: 'text', priceMinor: 150 },
        { country: 'RU', kind: 'text', priceMinor: 100 },
        { country: '*', kind: 'template:marketing', priceMinor: 400 },
      ],
    },
  });

export const PricesQuery = z.object({
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, { error: '`country` must be an ISO 3166 code such as "RU"' })
    .optional()
    .openapi({ description: 'Also show what every kind costs for this country.', example: 'RU' }),
});

export const TransferCreditSchema = z
  .object({
    amountMinor: z
      .number({ error: '`amountMinor` must be a whole number of minor units' })
      .int({ error: '`amountMinor` must be a whole number of minor units' })
      .refine((value) => value !== 0, { message: '`amountMinor` must not be zero' })
      .refine((value) => Math.abs(value) <= Number.MAX_SAFE_INTEGER, {
        message: '`amountMinor` is too large',
      })
      .openapi({
        description: 'Positive: from your balance to the child. Negative: back from the child to you.',
        example: 100_000,
      }),
    memo: z.string().max(500, { error: '`memo` must be at most 500 characters' }).optional().openapi({
      description: 'Kept in the ledger with the transfer.',
      example: 'invoice 2026-117',
    }),
  })
  .openapi('TransferCredit', { example: { amountMinor: 100_000, memo: 'invoice 2026-117' } });

export const TransferResultSchema = z
  .object({ account: AccountSchema, from: AccountSchema })
  .openapi('TransferResult', { description: 'Both accounts after the transfer: the child, and yours.' });
