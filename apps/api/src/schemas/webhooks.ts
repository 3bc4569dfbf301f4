import { z } from '@hono/zod-openapi';
import { limits } from '../validation/limits.js';
import { CursorQuery, LimitQuery, NextCursorSchema } from './common.js';
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

export const ListFailedCallbacksQuery = z.object({ limit: LimitQuery, cursor: CursorQuery });

export const FailedCallbackSchema = z
  .object({
    webhookId: z.string().openapi({
      description: 'The `webhook-id` every attempt of this callback carried; a replay carries it too.',
      example: 'cb_42',
    }),
    messageId: z
      .string()
      .openapi({ description: 'The message the status is about.', example: '120117657600000' }),
    url: z
      .string()
      .openapi({ description: 'Where it was POSTed.', example: 'https://example.com/whatsapp/status' }),
    state: z.enum(['failed', 'dead']).openapi({
      description:
        '`failed`: the endpoint answered a 4xx other than 408/429 (or a 3xx), or its address is not allowed; ' +
        '`dead`: still failing 3 days after it was queued.',
      example: 'failed',
    }),
    attempts: z.number().int().openapi({ description: 'Attempts made.', example: 1 }),
    lastError: z
      .string()
      .nullable()
      .openapi({ description: 'Why the last attempt failed.', example: 'HTTP 410' }),
    createdAt: z
      .string()
      .openapi({ description: 'When it was queued (ISO 8601).', example: '2026-03-01T09:30:00.000Z' }),
    body: z.string().openapi({
      description: 'The exact JSON body POSTed (a string: `messageId` in it is a 64-bit number).',
      example: '[{"messageId":120117657600000,"status":"SENT"}]',
    }),
  })
  .openapi('FailedCallback', { description: 'A status callback that will not be retried unless replayed.' });

export const FailedCallbackListSchema = z
  .object({
    data: z.array(FailedCallbackSchema).openapi({
      description: 'Failed and dead callbacks, newest first.',
      example: [
        {
          webhookId: 'cb_42',
          messageId: '120117657600000',
          url: 'https://example.com/whatsapp/status',
          state: 'failed',
          attempts: 1,
          lastError: 'HTTP 410',
          createdAt: '2026-03-01T09:30:00.000Z',
          body: '[{"messageId":120117657600000,"status":"SENT"}]',
        },
      ],
    }),
    nextCursor: NextCursorSchema,
  })
  .openapi('FailedCallbackList', { description: 'One page of failed callbacks, newest first.' });

export const WebhookIdParam = z.object({
  webhookId: z.string().openapi({
    param: { name: 'webhookId', in: 'path' },
    description: "The callback's `webhook-id`.",
    example: 'cb_42',
  }),
});

export const WebhookSecretSchema = z
  .object({
    secret: z.string().openapi({
      description:
        'The current signing secret (`whsec_` + base64 of 32 bytes): every status callback carries ' +
        '`webhook-signature: v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">` keyed with the ' +
        'base64-decoded part after `whsec_` (Standard Webhooks).',
      example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw6+Ic+bp3SZY=',
    }),
    previousSecretExpiresAt: z
      .string()
      .nullable()
      .openapi({
        description:
          'Until when the previous secret also signs (a second signature, space-separated) after a rotation; `null` ' +
          'when only the current secret signs.',
        example: null,
      }),
  })
  .openapi('WebhookSecret', { description: "The account's webhook signing secret." });

const endpointExample = {
  endpointId: 'ep_7',
  origin: 'https://example.com',
  state: 'disabled',
  lastSuccessAt: '2026-03-01T08:59:00.000Z',
  lastFailureAt: '2026-03-04T09:00:00.000Z',
  failingSince: '2026-03-01T09:00:00.000Z',
  consecutiveFailures: 74,
  lastError: 'HTTP 503',
  disabledAt: '2026-03-04T09:00:00.000Z',
} as const;

const instant = (description: string, example: string | null) =>
  z
    .string()
    .nullable()
    .openapi({ description: `${description} (ISO 8601); \`null\` if never.`, example });

export const WebhookEndpointSchema = z
  .object({
    endpointId: z
      .string()
      .openapi({ description: "The endpoint's id.", example: endpointExample.endpointId }),
    origin: z.string().openapi({
      description: 'Scheme, host and port every callback URL of this endpoint starts with (lower case).',
      example: endpointExample.origin,
    }),
    state: z.enum(['enabled', 'disabled']).openapi({
      description:
        '`disabled`: no successful delivery for 3 days while attempts failed; its callbacks are kept as failed, ' +
        'not POSTed, until it is enabled.',
      example: endpointExample.state,
    }),
    lastSuccessAt: instant('The last 2xx answer', endpointExample.lastSuccessAt),
    lastFailureAt: instant('The last failed attempt', endpointExample.lastFailureAt),
    failingSince: instant(
      'The first failed attempt since the last success; `null` while healthy, also',
      endpointExample.failingSince,
    ),
    consecutiveFailures: z.number().int().openapi({
      description: 'Failed attempts since the last success.',
      example: endpointExample.consecutiveFailures,
    }),
    lastError: z
      .string()
      .nullable()
      .openapi({ description: 'Why the last failed attempt failed.', example: endpointExample.lastError }),
    disabledAt: instant('When it was disabled; `null` while enabled, also', endpointExample.disabledAt),
  })
  .openapi('WebhookEndpoint', {
    description: "One origin the account's callbacks go to, with its delivery health.",
    example: endpointExample,
  });

export const WebhookEndpointListSchema = z
  .object({
    data: z.array(WebhookEndpointSchema).openapi({
      description: "The account's endpoints, oldest first.",
      example: [endpointExample],
    }),
  })
  .openapi('WebhookEndpointList', { description: "The account's webhook endpoints." });

export const WebhookEndpointIdParam = z.object({
  endpointId: z.string().openapi({
    param: { name: 'endpointId', in: 'path' },
    description: "The endpoint's id.",
    example: 'ep_7',
  }),
});

export const EnableWebhookEndpointQuery = z.object({
  replayFailed: z
    .enum(['true', 'false'])
    .optional()
    .openapi({
      description:
        '`true` queues again every failed or dead callback to the endpoint queued since it started failing, ' +
        'with their `webhook-id`s.',
      example: 'true',
    }),
});

export const EnabledWebhookEndpointSchema = z
  .object({
    endpoint: WebhookEndpointSchema,
    replayed: z.number().int().openapi({ description: 'Callbacks queued again.', example: 12 }),
  })
  .openapi('EnabledWebhookEndpoint', {
    description: 'The endpoint, enabled, and how many callbacks were replayed.',
  });

export const MessageCallbackSchema = z
  .object({
    webhookId: z.string().openapi({ description: 'The `webhook-id` every attempt carried.', example: 'cb_42' }),
    url: z.string().openapi({ description: 'Where it is POSTed.', example: 'https://example.com/whatsapp/status' }),
    state: z.enum(['pending', 'delivered', 'failed', 'dead']).openapi({
      description:
        '`pending`: queued or being retried; `delivered`: the endpoint answered 2xx; `failed`: refused for good; ' +
        '`dead`: still failing 3 days after it was queued.',
      example: 'delivered',
    }),
    attempts: z.number().int().openapi({ description: 'Delivery attempts made so far.', example: 1 }),
    lastError: z
      .string()
      .nullable()
      .openapi({ description: 'Why the last attempt failed; `null` when none did.', example: null }),
    createdAt: z.string().openapi({ description: 'When it was queued (ISO 8601).', example: '2026-03-01T09:30:00.000Z' }),
    deliveredAt: z
      .string()
      .nullable()
      .openapi({ description: 'When the endpoint accepted it; `null` until then.', example: '2026-03-01T09:30:01.000Z' }),
    nextAttemptAt: z.string().nullable().openapi({
      description: 'When the next attempt is due while `pending`; `null` otherwise.',
      example: null,
    }),
    body: z.string().openapi({
      description: 'The exact JSON body POSTed (a string: `messageId` in it is a 64-bit number).',
      example: '[{"messageId":118626985453813760,"status":"SENT"}]',
    }),
  })
  .openapi('MessageCallback', { description: 'One status callback of a message and how its delivery went.' });

export const MessageCallbackListSchema = z
  .object({
    data: z.array(MessageCallbackSchema).openapi({
      description: "The message's callbacks, oldest first.",
      example: [
        {
          webhookId: 'cb_42',
          url: 'https://example.com/whatsapp/status',
          state: 'delivered',
          attempts: 1,
          lastError: null,
          createdAt: '2026-03-01T09:30:00.000Z',
          deliveredAt: '2026-03-01T09:30:01.000Z',
          nextAttemptAt: null,
          body: '[{"messageId":118626985453813760,"status":"SENT"}]',
        },
      ],
    }),
  })
  .openapi('MessageCallbackList', { description: "A message's status callbacks." });
