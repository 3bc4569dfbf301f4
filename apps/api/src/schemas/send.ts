import { z } from '@hono/zod-openapi';
import { limits } from '../validation/limits.js';
import { ErrorSchema } from './common.js';
import { DevinoMessageSchema } from './devino-message.js';

const example = {
  messages: [
    { from: 'MyCompany', to: '79034567890', text: 'Code: 1234' },
    {
      from: 'MyCompany',
      to: '79034567888',
      templateId: 'account_activated',
      templateParams: { '1': '+7(495) 646 00 54', '2': 'https://devino.online' },
      languageCode: 'ru',
      validity: 86_400,
      callbackUrl: 'https://test_callback_url.site',
    },
  ],
};

/** The body of `POST /whatsapp/messages` as documented: every message in the shape it must have. */
export const SendRequestSchema = z
  .object({
    messages: z
      .array(DevinoMessageSchema)
      .min(1)
      .max(limits.maxMessagesPerRequest)
      .openapi({
        description:
          `1–${limits.maxMessagesPerRequest} messages. Each is validated on its own and gets its own result, in the same order; ` +
          'a request is refused as a whole only when `messages` itself is missing, empty, not an array or too long.',
        example: example.messages,
      }),
  })
  .openapi('SendRequest', { description: 'Messages to send.', example });

/**
 * The envelope checked for the request as a whole; each message is then checked on its own
 * (`validateMessage`), so one bad message never fails its batch.
 */
export const SendEnvelopeSchema = z.object({
  messages: z
    .array(z.unknown(), {
      error: (issue) =>
        issue.input === undefined || issue.input === null
          ? '`messages` must be a non-empty array of messages'
          : '`messages` must be an array of messages',
    })
    .min(1, { error: '`messages` must be a non-empty array of messages' })
    .max(limits.maxMessagesPerRequest, {
      error: `at most ${limits.maxMessagesPerRequest} messages per request; split the batch`,
    }),
});

export const MessageAcceptedSchema = z
  .object({
    code: z.literal('OK').openapi({ description: 'The message was accepted for sending.', example: 'OK' }),
    messageId: z
      .string()
      .regex(/^\d{1,19}$/)
      .openapi({
        description:
          'The message id: a time-ordered 64-bit integer written as a string, at most 2^53 − 1 (status callbacks carry it as a JSON number, which a plain JSON.parse reads exactly).',
        example: '120117657600000',
      }),
  })
  .openapi('MessageAccepted', {
    description: 'An accepted message.',
    example: { code: 'OK', messageId: '3482512350952730368' },
  });

export const MessageResultSchema = z
  .discriminatedUnion('code', [MessageAcceptedSchema, ErrorSchema])
  .openapi('MessageResult', {
    description: 'The outcome of one message: `OK` with its id, or `REJECTED` with the reasons.',
    example: { code: 'OK', messageId: '3482512350952730368' },
  });

export const SendResponseSchema = z
  .object({
    result: z.array(MessageResultSchema).openapi({
      description: 'One result per message, in request order.',
      example: [
        { code: 'OK', messageId: '3482512350952730368' },
        {
          code: 'REJECTED',
          reasons: [{ key: 'invalid', ref: 'messages[1].to' }],
          description: '`to` is not a phone number in international format such as "79034567890"',
        },
      ],
    }),
  })
  .openapi('SendResponse', {
    description: 'The per-message results of a send.',
    example: {
      result: [
        { code: 'OK', messageId: '3482512350952730368' },
        { code: 'OK', messageId: '3482512350952730369' },
      ],
    },
  });

export type SendResult = z.infer<typeof MessageResultSchema>;
export type SendResponse = z.infer<typeof SendResponseSchema>;

export const IdempotencyKeyHeader = z
  .string()
  .optional()
  .openapi({
    description:
      `Makes the request safe to retry: for ${limits.idempotencyWindowHours} hours, the same key with the same body answers ` +
      'the first response again (with `Idempotent-Replayed: true`) and sends nothing twice. The same key with a different ' +
      'body is refused (409 `idempotency.conflict`); while the first request with a key is still running, a second is ' +
      'refused (409 `idempotency.in.progress`). Keys are per account: 1–255 printable ASCII characters, e.g. a UUID.',
    example: '6f1c2a0e-6b7a-4a57-9a2e-2f0f4f0f7d11',
  });
