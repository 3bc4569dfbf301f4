import type { OutboundMessage } from './gen/wagate/common/v1/message.js';

/**
 * Bus events: the topic names and payloads services exchange over JetStream. Every payload
 * carries the ids its consumers need to be idempotent; every publish uses a deterministic
 * event id (below) so a re-publish is deduplicated by the bus and by the consumer.
 */
export const Topics = {
  /** dispatch → fleet: a message to hand to a device. Key: sender/recipient pair. */
  messageAccepted: 'message.accepted',
  /** fleet → dispatch, billing: a status reported for a message. Key: message id. */
  messageStatus: 'message.status',
  /** fleet → dispatch: a message a device received. Key: device id. */
  messageInbound: 'message.inbound',
} as const;

export type MessageAcceptedEvent = OutboundMessage;

export interface MessageStatusEvent {
  messageId: string;
  accountId: string;
  /** SENT, DELIVERED, READ, FAILED or EXPIRED. */
  status: string;
  /** Callback-time contract code; 0 when none. */
  errorCode: number;
  atMs: number;
  /** Who reported it, e.g. `device:dev_…`, or `policy` for dispatch's own decisions. */
  source: string;
  /** The dispatch-policy rule that decided this status (e.g. `duplicate`), when one did. */
  rule?: string;
  /** Why the rule decided so, in words a person can act on. */
  reason?: string;
}

/** A message a device received, for the account its sender pool belongs to. */
export interface MessageInboundEvent {
  accountId: string;
  deviceId: string;
  /** Unique per device: a repeated report of the same message carries the same key. */
  deviceMessageKey: string;
  /** The device's WhatsApp number (the contract's `to`). */
  to: string;
  from: string;
  text: string;
  profileName: string;
  atMs: number;
}

export const eventId = {
  accepted: (messageId: string) => `accepted:${messageId}`,
  status: (messageId: string, status: string) => `status:${messageId}:${status}`,
  inbound: (deviceId: string, deviceMessageKey: string) => `inbound:${deviceId}:${deviceMessageKey}`,
};

/** Messages from one sender to one recipient keep their order through the bus. */
export function conversationKey(accountId: string, sender: string, recipient: string): string {
  return `${accountId}/${sender}/${recipient}`;
}
