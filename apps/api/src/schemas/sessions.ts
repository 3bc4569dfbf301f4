import { z } from '@hono/zod-openapi';

export const SessionSchema = z
  .object({
    accountId: z.string().openapi({ description: 'The account the key belongs to.', example: 'acc_demo' }),
    keyId: z
      .string()
      .openapi({ description: 'The key the session was signed in with.', example: 'key_01JD3' }),
    scopes: z
      .array(z.string())
      .openapi({
        description: "The key's scopes: what the session may do.",
        example: ['send', 'read', 'manage'],
      }),
    expiresAt: z.string().nullable().openapi({
      description: 'When the session ends unless signed out first (ISO 8601); `null` when asked with a key.',
      example: '2026-12-06T22:00:00.000Z',
    }),
  })
  .openapi('Session', {
    description: 'Who is signed in: the key behind a console session (or the key asking).',
  });
