import type { common } from '@wagate/contracts';
import type { MessageStatus } from '@wagate/errors';

/** A stored message in the field names of the send call (`from`, `to`, …). */
export function messageFields(messageId: string, m: common.OutboundMessage) {
  return {
    messageId,
    from: m.sender,
    to: m.recipient,
    text: m.text,
    ...optional('contentUrl', m.contentUrl),
    ...optional('contentName', m.contentName),
    ...optional('contentType', m.contentType),
    ...optional('callbackUrl', m.callbackUrl),
    ...optional('callbackData', m.callbackData),
    ...optional('templateId', m.templateId),
    ...(m.templateId && m.templateParams ? { templateParams: m.templateParams } : {}),
    ...optional('languageCode', m.languageCode),
    ...(m.validitySeconds ? { validity: m.validitySeconds } : {}),
    acceptedAt: isoTime(m.acceptedAtMs),
  };
}

export function isoTime(ms: string | number): string {
  return new Date(Number(ms)).toISOString();
}

export function asStatus(status: string): MessageStatus {
  return status as MessageStatus;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === null ? {} : ({ [key]: value } as Record<K, string>);
}
