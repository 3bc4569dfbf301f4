import { createHash } from 'node:crypto';
import type { MessageAcceptedEvent } from '@wagate/contracts';

/**
 * What a message says: the text (rendered, for a template), the media URL, and the template
 * with its parameters and language. Callback URL, callback data and validity do not make a
 * message different.
 */
function contentOf(message: MessageAcceptedEvent): string[] {
  return [
    message.text,
    message.contentUrl ?? '',
    message.templateId ?? '',
    JSON.stringify(Object.entries(message.templateParams ?? {}).sort(([a], [b]) => a.localeCompare(b))),
    message.languageCode ?? '',
  ];
}

const hash = (parts: string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

/** "The same message" (2009): same account, sender, recipient and content. */
export function contentFingerprint(message: MessageAcceptedEvent): string {
  return hash([message.sender, message.recipient, ...contentOf(message)]);
}

/** "The same text" whoever it goes to (the young-sender rule counts its recipients). */
export function textFingerprint(message: MessageAcceptedEvent): string {
  return hash(contentOf(message));
}
