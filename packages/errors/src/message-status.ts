/** The lifecycle of an outbound message, as callbacks and `/v1/messages` show it. */
export const MessageStatus = {
  Accepted: 'ACCEPTED',
  Sent: 'SENT',
  Delivered: 'DELIVERED',
  Read: 'READ',
  Failed: 'FAILED',
  Expired: 'EXPIRED',
} as const;
export type MessageStatus = (typeof MessageStatus)[keyof typeof MessageStatus];

/** Statuses after which nothing more happens to a message. */
export const terminalStatuses: ReadonlySet<MessageStatus> = new Set(['READ', 'FAILED', 'EXPIRED']);
