import { z } from '@hono/zod-openapi';
import { errorKeys, type HttpErrorStatus } from '@wagate/errors';
import { describeErrorStatus } from '../openapi/error-catalogue.js';
import { limits } from '../validation/limits.js';

export const ReasonSchema = z
  .object({
    key: z.enum(errorKeys as [string, ...string[]]).openapi({
      description: 'The error code, from the error catalogue in the API description.',
      example: 'invalid',
    }),
    ref: z.string().optional().openapi({
      description:
        'The parameter in error, as a JSON path such as `messages[0].to`; absent when the error concerns no one field.',
      example: 'messages[0].to',
    }),
  })
  .openapi('Reason', {
    description: 'One error: its catalogue key and the parameter it concerns.',
    example: { key: 'invalid', ref: 'messages[0].to' },
  });

/** Every failure of a whole request, and every rejected message of a send, has this shape. */
export const ErrorSchema = z
  .object({
    code: z
      .literal('REJECTED')
      .openapi({ description: 'Always `REJECTED` for an error.', example: 'REJECTED' }),
    reasons: z
      .array(ReasonSchema)
      .min(1)
      .openapi({
        description: 'What was wrong, one entry per (key, ref).',
        example: [{ key: 'must.be.not.null', ref: 'messages' }],
      }),
    description: z.string().openapi({
      description: 'What happened and what to change, for a person.',
      example: '`messages` must be a non-empty array of messages',
    }),
  })
  .openapi('Error', {
    description:
      'A rejected request, in the shape of a rejected message: `{"code":"REJECTED","reasons":[{"key","ref"}],"description"}`.',
    example: {
      code: 'REJECTED',
      reasons: [{ key: 'must.be.not.null', ref: 'messages' }],
      description: '`messages` must be a non-empty array of messages',
    },
  });

const errorExamples: Record<HttpErrorStatus, { summary: string; value: z.input<typeof ErrorSchema> }> = {
  400: {
    summary: 'The request is not what the route takes',
    value: {
      code: 'REJECTED',
      reasons: [{ key: 'must.be.not.null', ref: 'messages' }],
      description: '`messages` must be a non-empty array of messages',
    },
  },
  401: {
    summary: 'No API key, or an unknown or revoked one',
    value: {
      code: 'REJECTED',
      reasons: [{ key: 'unauthorized' }],
      description: 'send your API key as "Authorization: Key <api key>"',
    },
  },
  403: {
    summary: 'The key lacks the scope this route needs',
    value: {
      code: 'REJECTED',
      reasons: [{ key: 'forbidden' }],
      description: 'this API key lacks the "send" scope',
    },
  },
  404: {
    summary: 'No such resource in this account',
    value: {
      code: 'REJECTED',
      reasons: [{ key: 'not.found', ref: 'messageId' }],
      description: 'no message 3482512350952730368 in this account',
    },
  },
  409: {
    summary: 'The Idempotency-Key was used with another body, or is still in flight',
    value: {
      code: 'REJECTED',
      reasons: [{ key: 'idempotency.conflict', ref: 'Idempotency-Key' }],
      description: 'this Idempotency-Key was used with a different body; use a new key for a new request',
    },
  },
  413: {
    summary: 'The body is too large',
    value: {
      code: 'REJECTED',
      reasons: [{ key: 'payload.too.large' }],
      description: `the body is larger than ${limits.maxBodyBytes} bytes`,
    },
  },
  415: {
    summary: 'The body is not JSON',
    value: {
      code: 'REJECTED',
      reasons: [{ key: 'unsupported.media.type' }],
      description: 'send the body as JSON with Content-Type: application/json',
    },
  },
  500: {
    summary: 'Unknown error',
    value: {
      code: 'REJECTED',
      reasons: [{ key: 'unknown' }],
      description: 'an internal error occurred; the request may be retried',
    },
  },
  503: {
    summary: 'A service is briefly unavailable',
    value: {
      code: 'REJECTED',
      reasons: [{ key: 'service.unavailable' }],
      description: 'a service is briefly unavailable; retry the request',
    },
  },
};

/**
 * The documented error responses of a route, each with the shape and an example. 400 is always
 * among them: a NUL character in any path, query or body input is refused at the edge, on every
 * route (http/reject-nul.ts).
 */
export function errorResponses(...statuses: HttpErrorStatus[]) {
  return Object.fromEntries(
    [...new Set<HttpErrorStatus>([400, ...statuses])].map((status) => [
      status,
      {
        description: describeErrorStatus(status),
        content: {
          'application/json': {
            schema: ErrorSchema,
            examples: { [errorExamples[status].value.reasons[0]!.key]: errorExamples[status] },
          },
        },
      },
    ]),
  ) as unknown as Record<
    HttpErrorStatus,
    { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }
  >;
}

/** The scheme every authenticated route declares. */
export const apiKeySecurity = [{ ApiKey: [] }];

export const LimitQuery = z.coerce
  .number({ error: '`limit` must be a whole number' })
  .int({ error: '`limit` must be a whole number' })
  .min(1, { error: `\`limit\` must be from 1 to ${limits.maxPageSize}` })
  .max(limits.maxPageSize, { error: `\`limit\` must be from 1 to ${limits.maxPageSize}` })
  .optional()
  .openapi({
    description: `Items per page, 1–${limits.maxPageSize}; default ${limits.defaultPageSize}.`,
    example: 20,
    type: 'integer',
    minimum: 1,
    maximum: limits.maxPageSize,
  });

export const CursorQuery = z
  .string()
  .max(1024, { error: '`cursor` is not one a list returned' })
  .optional()
  .openapi({
    description: "The previous page's `nextCursor`, unchanged; leave it out for the first page.",
    example: 'WyIzNDgyNTEyMzUwOTUyNzMwMzY4Il0',
  });

export const NextCursorSchema = z.string().nullable().openapi({
  description: 'Pass it as `cursor` to get the next page; `null` on the last page.',
  example: 'WyIzNDgyNTEyMzUwOTUyNzMwMzY4Il0',
});
