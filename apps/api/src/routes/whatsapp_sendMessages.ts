import { createRoute, z } from '@hono/zod-openapi';
import type { dispatch } from '@wagate/contracts';
import { DomainError, ErrorKey } from '@wagate/errors';
import { requireScope } from '../http/auth.js';
import { rateLimitHeaders } from '../http/rate-limit-headers.js';
import { readJsonObject } from '../http/read-json.js';
import type { Recovery } from '../http/idempotency-gate.js';
import { dispatchMayHaveAccepted, type SendPlan, type SendStage, sendBatch } from '../send/send-batch.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import {
  IdempotencyKeyHeader,
  SendEnvelopeSchema,
  SendRequestSchema,
  SendResponseSchema,
} from '../schemas/send.js';
import { limits } from '../validation/limits.js';
import type { ApiApp, RouteDeps } from './types.js';

export const sendMessagesRoute = createRoute({
  method: 'post',
  path: '/whatsapp/messages',
  tags: ['Devino'],
  operationId: 'sendMessages',
  summary: 'Send messages',
  description:
    "Devino's send call. Each message is validated on its own and gets its own result, in request order, in one 200 " +
    'response; valid messages are sent even when others are rejected. The request fails as a whole (4xx) only for its ' +
    `envelope: \`messages\` missing, empty, not an array, or more than ${limits.maxMessagesPerRequest} — or for auth, ` +
    'content type, size and idempotency. Send `Idempotency-Key` to make retries safe.',
  security: apiKeySecurity,
  request: {
    headers: z.object({ 'idempotency-key': IdempotencyKeyHeader }),
    body: { required: true, content: { 'application/json': { schema: SendRequestSchema } } },
  },
  responses: {
    200: {
      description: 'One result per message, in request order.',
      headers: z.object({
        'idempotent-replayed': z.literal('true').optional().openapi({
          description:
            'Present when this is the stored response of an earlier request with the same Idempotency-Key.',
          example: 'true',
        }),
        'ratelimit-policy': z
          .string()
          .optional()
          .openapi({
            description:
              "The account's send-rate limit (IETF draft-ietf-httpapi-ratelimit-headers): `q` messages at once, " +
              'refilled over `w` seconds. Present when the account limit is on and a message reached dispatch.',
            example: '"account";q=50;w=5',
          }),
        ratelimit: z
          .string()
          .optional()
          .openapi({
            description:
              'What the account may send now: `r` messages, and `t` seconds until the bucket is full again. ' +
              'Messages beyond it are accepted and then fail with 2301.',
            example: '"account";r=42;t=1',
          }),
      }),
      content: { 'application/json': { schema: SendResponseSchema } },
    },
    ...errorResponses(400, 401, 403, 409, 413, 415, 500, 503),
  },
});

/**
 * The route is documented from `sendMessagesRoute` but validated here, not by the generic
 * body validator: that one would refuse a whole batch for one bad message, where the contract
 * wants a result per message. The envelope is checked with `SendEnvelopeSchema`, each message
 * with `DevinoMessageSchema` (in `sendBatch`).
 */
export function registerSendMessages(app: ApiApp, deps: RouteDeps): void {
  app.openAPIRegistry.registerPath(sendMessagesRoute);
  app.post(sendMessagesRoute.getRoutingPath(), requireScope('send'), async (c) => {
    const principal = c.get('principal');
    const body = await readJsonObject(c);
    const envelope = z.safeParse(SendEnvelopeSchema, body.value, { reportInput: true });
    if (!envelope.success) throw envelopeError(envelope.error);
    const messages = envelope.data.messages;

    const progress: { stage: SendStage } = { stage: 'validating' };
    let accountRate: dispatch.AccountRate | undefined;
    const send = async (recovery?: Recovery<SendPlan>) => {
      const sent = await sendBatch(deps, principal.accountId, messages, progress, recovery);
      accountRate = sent.accountRate;
      return { status: 200, body: JSON.stringify({ result: sent.results }) };
    };
    const key = c.req.header('idempotency-key');
    const response =
      key === undefined
        ? { ...(await send()), replayed: false }
        : await deps.idempotency.run<SendPlan>(
            { accountId: principal.accountId, key, rawBody: body.text },
            send,
            (error) => nothingSent(progress.stage, error),
          );
    c.header('content-type', 'application/json');
    if (response.replayed) c.header('idempotent-replayed', 'true');
    // A replay took nothing from the bucket and reports nothing; a fresh batch reports where it left it.
    if (accountRate)
      for (const [name, value] of Object.entries(rateLimitHeaders(accountRate))) c.header(name, value);
    return c.body(response.body, response.status as 200);
  });
}

/** The envelope's failure, as the contract names it: always about `messages`. */
function envelopeError(error: z.ZodError): DomainError {
  const issue = error.issues[0]!;
  const input = (issue as { input?: unknown }).input;
  if (issue.code === 'too_big')
    return new DomainError(ErrorKey.TooManyMessages, issue.message, { ref: 'messages' });
  if (issue.code === 'too_small' || input === undefined || input === null) {
    return new DomainError(ErrorKey.MustBeNotNull, issue.message, { ref: 'messages' });
  }
  return new DomainError(ErrorKey.Invalid, issue.message, { ref: 'messages' });
}

/** Whether a failed send certainly sent nothing, so its Idempotency-Key may be used again. */
function nothingSent(stage: SendStage, error: unknown): boolean {
  return stage !== 'accepting' || !dispatchMayHaveAccepted(error);
}
