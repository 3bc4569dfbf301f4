import { createRoute } from '@hono/zod-openapi';
import { DomainError, ErrorKey } from '@wagate/errors';
import { requireScope } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { ListMessagesQuery, MessageListSchema } from '../schemas/messages.js';
import { normalisePhoneNumber } from '../validation/phone-number.js';
import { asStatus, isoTime, messageFields } from '../views/messages.js';
import type { ApiApp, RouteDeps } from './types.js';

export const listMessagesRoute = createRoute({
  method: 'get',
  path: '/v1/messages',
  tags: ['Messages'],
  operationId: 'listMessages',
  summary: 'List messages',
  description:
    "The account's messages, newest first, filtered by sender, recipient, current status and acceptance time, one page " +
    'at a time: pass `nextCursor` back as `cursor` until it is `null`.',
  security: apiKeySecurity,
  middleware: [requireScope('read')] as const,
  request: { query: ListMessagesQuery },
  responses: {
    200: {
      description: 'One page of messages.',
      content: { 'application/json': { schema: MessageListSchema } },
    },
    ...errorResponses(400, 401, 403, 500, 503),
  },
});

export function registerListMessages(app: ApiApp, deps: RouteDeps): void {
  app.openapi(listMessagesRoute, async (c) => {
    const query = c.req.valid('query');
    const acceptedFromMs = query.from === undefined ? undefined : Date.parse(query.from);
    const acceptedToMs = query.to === undefined ? undefined : Date.parse(query.to);
    if (acceptedFromMs !== undefined && acceptedToMs !== undefined && acceptedFromMs > acceptedToMs) {
      throw new DomainError(ErrorKey.Invalid, '`from` must not be later than `to`', { ref: 'from' });
    }
    const page = await deps.peers.dispatch.listMessages({
      accountId: c.get('principal').accountId,
      ...(query.sender ? { sender: query.sender } : {}),
      ...(query.recipient ? { recipient: recipientDigits(query.recipient) } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(acceptedFromMs !== undefined ? { acceptedFromMs: String(acceptedFromMs) } : {}),
      ...(acceptedToMs !== undefined ? { acceptedToMs: String(acceptedToMs) } : {}),
      limit: query.limit ?? 0,
      cursor: query.cursor ?? '',
    });
    return c.json(
      {
        data: page.messages.flatMap((summary) =>
          summary.message
            ? [
                {
                  ...messageFields(summary.message.messageId, summary.message),
                  status: asStatus(summary.status),
                  errorCode: summary.errorCode,
                  updatedAt: isoTime(summary.updatedAtMs),
                },
              ]
            : [],
        ),
        nextCursor: page.nextCursor || null,
      },
      200,
    );
  });
}

/** The recipient filter in the digits messages are stored with, whatever form it was written in. */
function recipientDigits(recipient: string): string {
  const number = normalisePhoneNumber(recipient);
  if (number.kind === 'ok') return number.digits;
  throw new DomainError(ErrorKey.Invalid, '`recipient` must be a phone number such as 79034567890', {
    ref: 'recipient',
  });
}
