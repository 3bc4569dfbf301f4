import type { PublishInput } from '@wagate/bus';
import { eventId, type MessageStatusEvent, Topics } from '@wagate/contracts';
import { MessageStatus, StatusErrorCode } from '@wagate/errors';

/**
 * A message accepted (it has its id and its OK) that fails at once instead of being sent — a
 * template that did not render (2308–2311), a free-form message outside the conversation
 * window (2312). Accept records its FAILED status (history, callback) in its own transaction,
 * so the message never looks sendable; the event tells billing to release the reservation, and
 * dispatch's own consumer finds the status recorded and does nothing more.
 */
export function failedAtAcceptEvent(
  accountId: string,
  messageId: string,
  errorCode: number,
  atMs: number,
  headers: Record<string, string>,
): PublishInput {
  const data: MessageStatusEvent = {
    messageId,
    accountId,
    status: MessageStatus.Failed,
    errorCode,
    atMs,
    source: isTemplateCode(errorCode) ? 'templates' : 'dispatch',
  };
  return {
    topic: Topics.messageStatus,
    id: eventId.status(messageId, MessageStatus.Failed),
    key: messageId,
    data,
    headers,
  };
}

function isTemplateCode(code: number): boolean {
  return code >= StatusErrorCode.TemplateParamCount && code <= StatusErrorCode.TemplateParamTooLong;
}
