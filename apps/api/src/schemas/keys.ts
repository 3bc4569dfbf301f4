import { z } from '@hono/zod-openapi';

export const KeyParams = z.object({
  accountId: z
    .string()
    .min(1)
    .max(64)
    .openapi({
      param: { name: 'accountId', in: 'path' },
      description: 'The account: yours, or one below it.',
      example: 'acc_demo',
    }),
  keyId: z
    .string()
    .min(1)
    .max(64)
    .openapi({
      param: { name: 'keyId', in: 'path' },
      description: 'The key id (not the key).',
      example: 'key_01jz3k4m5n6p7q8r9s0t1v2w3x',
    }),
});

const keyExample = {
  id: 'key_01jz3k4m5n6p7q8r9s0t1v2w3x',
  accountId: 'acc_demo',
  name: 'CRM production',
  prefix: 'wag_Zx3q',
  scopes: ['send', 'read'],
  createdAt: '2026-12-01T10:00:00.000Z',
  expiresAt: null,
  lastUsedAt: '2026-12-01T10:05:00.000Z',
  revokedAt: null,
};

const time = (description: string) => z.string().nullable().openapi({ description, example: null });

export const ApiKeySchema = z
  .object({
    id: z
      .string()
      .openapi({ description: 'The key id, for the routes of this key.', example: keyExample.id }),
    accountId: z
      .string()
      .openapi({ description: 'The account the key acts for.', example: keyExample.accountId }),
    name: z.string().openapi({ description: 'What the key is for.', example: keyExample.name }),
    prefix: z
      .string()
      .openapi({
        description: 'The first characters of the key, to tell keys apart.',
        example: keyExample.prefix,
      }),
    scopes: z
      .array(z.enum(['send', 'read', 'manage']))
      .openapi({ description: 'What the key may do.', example: ['send', 'read'] }),
    createdAt: z.string().openapi({ description: 'ISO 8601.', example: keyExample.createdAt }),
    expiresAt: time('When the key stops working by itself; `null`: never.'),
    lastUsedAt: time('When the key was last used, to the minute; `null`: never.'),
    revokedAt: time('When the key was revoked; `null`: it is not.'),
  })
  .openapi('ApiKey', {
    description: 'An API key, without the key itself (only its hash is stored).',
    example: keyExample,
  });

export const CreatedKeySchema = ApiKeySchema.extend({
  key: z
    .string()
    .openapi({ description: 'The key itself. Shown this once: store it now.', example: 'wag_Zx3q…' }),
}).openapi('CreatedApiKey', { example: { ...keyExample, key: 'wag_Zx3qK9v0mB2nL5pR8tW1yA4cE7gH0jM3' } });

export const ApiKeyListSchema = z
  .object({
    data: z.array(ApiKeySchema).openapi({ description: 'The keys, oldest first.', example: [keyExample] }),
  })
  .openapi('ApiKeyList');

export const CreateKeySchema = z
  .object({
    name: z
      .string({ error: '`name` must be a string' })
      .trim()
      .min(1, { error: '`name` must not be empty' })
      .max(200, { error: '`name` must be at most 200 characters' })
      .openapi({ description: 'What the key is for.', example: 'CRM production' }),
    scopes: z
      .array(z.enum(['send', 'read', 'manage'], { error: 'each scope must be "send", "read" or "manage"' }), {
        error: '`scopes` must be an array',
      })
      .min(1, { error: '`scopes` must name at least one scope' })
      .openapi({
        description: '`send` (POST /whatsapp/messages), `read` (GET /v1/…), `manage` (changes through /v1).',
        example: ['send', 'read'],
      }),
    expiresAt: z.iso
      .datetime({ offset: true, error: '`expiresAt` must be an ISO 8601 time such as 2027-01-01T00:00:00Z' })
      .optional()
      .openapi({
        description: 'When the key stops working by itself; default never.',
        example: '2027-01-01T00:00:00Z',
      }),
  })
  .openapi('CreateApiKey', { example: { name: 'CRM production', scopes: ['send', 'read'] } });
