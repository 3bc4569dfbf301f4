import { z } from '@hono/zod-openapi';
import { limits } from '../validation/limits.js';
import { isHttpUrl } from '../validation/strings.js';

const url = (what: string, example: string) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `\`${what}\` is required (null clears it)`
          : `\`${what}\` must be a URL or null`,
    })
    .refine(isHttpUrl, {
      message: `\`${what}\` must be an absolute http(s) URL of at most ${limits.maxUrlLength} characters`,
    })
    .nullable()
    .openapi({ format: 'uri', maxLength: limits.maxUrlLength, example });

const settingsExample = {
  incomingUrl: 'https://example.com/whatsapp/incoming',
  statusUrl: 'https://example.com/whatsapp/status',
};

export const WebhookSettingsInputSchema = z
  .object({
    incomingUrl: url('incomingUrl', settingsExample.incomingUrl).openapi({
      description: "Where the account's incoming messages are POSTed; `null` clears it.",
    }),
    statusUrl: url('statusUrl', settingsExample.statusUrl).openapi({
      description: 'Where status callbacks go for messages sent without a `callbackUrl`; `null` clears it.',
    }),
  })
  .openapi('WebhookSettingsInput', {
    description: 'Both URLs, replaced together (PUT): give each, `null` to clear one.',
    example: settingsExample,
  });

export const WebhookSettingsSchema = z
  .object({
    incomingUrl: z.string().nullable().openapi({
      description: "Where the account's incoming messages are POSTed; `null` when unset.",
      example: settingsExample.incomingUrl,
    }),
    statusUrl: z.string().nullable().openapi({
      description: 'The default status callback URL; `null` when unset.',
      example: settingsExample.statusUrl,
    }),
    updatedAt: z.string().nullable().openapi({
      description: 'When they were last changed (ISO 8601); `null` if never.',
      example: '2026-03-01T09:30:00.000Z',
    }),
  })
  .openapi('WebhookSettings', {
    description: "The account's webhook URLs.",
    example: { ...settingsExample, updatedAt: '2026-03-01T09:30:00.000Z' },
  });
