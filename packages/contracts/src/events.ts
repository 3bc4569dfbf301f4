/**
 * Bus events: the topic names and payloads services exchange over JetStream. Every payload
 * carries the ids its consumers need to be idempotent; every publish uses a deterministic
 * event id (below) so a re-publish is deduplicated by the bus and by the consumer.
 */
export const Topics = {
  /**
   * dispatch → fleet: messages to hand to devices, an account's accepted together in one event
   * (`MessagesAcceptedEvent`). Key: the event's id — none is serialised behind another; fleet
   * queues an account's events in the order it receives them (the stream's order), so each
   * conversation's messages stay in acceptance order.
   */
  messageAccepted: 'message.accepted',
  /** fleet → dispatch, billing: a status reported for a message. Key: message id. */
  messageStatus: 'message.status',
  /** fleet → dispatch: a message a device received. Key: device id. */
  messageInbound: 'message.inbound',
  /**
   * billing → every api replica (a broadcast): a key or an account stopped (or started) being
   * usable, so cached key lookups must go. Key: account id.
   */
  accessChanged: 'billing.access.changed',
  /** templates → templates (every replica): a template changed; drop it from render caches. Key: template id. */
  templateChanged: 'template.changed',
  /** dispatch → anyone who tells the tenant: a webhook endpoint failed for days and was disabled. Key: account id. */
  webhookEndpointDisabled: 'webhook.endpoint.disabled',
  /** fleet → anyone watching the fleet: a device's health or admin state changed. Key: device id. */
  deviceStateChanged: 'device.state.changed',
} as const;

/** One row of a device's history, announced as it is written. */
export interface DeviceStateChangedEvent {
  deviceId: string;
  /** The device's account; empty for a device enrolled before accounts owned devices. */
  accountId: string;
  /** `state` (health), `admin_state` (quarantine/drain/release), `sender` or `recovery`. */
  change: string;
  from: string;
  to: string;
  reason: string;
  atMs: number;
  /** The history row's id: unique per change. */
  historyId: string;
}

/**
 * dispatch → fleet: a message accepted for sending, as dispatch stores it and a device gets it.
 * Written out here rather than borrowed from the proto's `common.OutboundMessage` (it has the
 * same fields, so the api hands one over as it is): the services' domain code works with this
 * type, and a change of the gRPC message changes only the code at the gRPC edges.
 */
export interface MessageAcceptedEvent {
  messageId: string;
  accountId: string;
  /** Sender name as the tenant wrote it (`from`), e.g. "MyCompany". */
  sender: string;
  /** Recipient in digits only, E.164 without "+". */
  recipient: string;
  text: string;
  contentUrl?: string | undefined;
  contentName?: string | undefined;
  contentType?: string | undefined;
  callbackUrl?: string | undefined;
  callbackData?: string | undefined;
  templateId?: string | undefined;
  templateParams: { [key: string]: string };
  languageCode?: string | undefined;
  /** Seconds the message may wait before it expires; 0 means the default. */
  validitySeconds: number;
  /** Milliseconds since the epoch when the api accepted the message, as a decimal string. */
  acceptedAtMs: string;
}

/** One message of a `MessagesAcceptedEvent`, with the trace of the request that sent it. */
export interface AcceptedForSending extends MessageAcceptedEvent {
  /** W3C trace context headers (`traceparent`, `tracestate`) of the send's own request. */
  trace: Record<string, string>;
}

/**
 * dispatch → fleet: an account's messages accepted in one transaction, in acceptance order.
 * One event carries many (a group commit's, up to a size bound) so that the bus does one
 * publish, one delivery and one ack for them, not one each; every message still carries its
 * own request's trace. Events published before batching carried one bare `MessageAcceptedEvent`
 * (see `acceptedMessagesOf`).
 */
export interface MessagesAcceptedEvent {
  accountId: string;
  messages: AcceptedForSending[];
}

/**
 * The messages of a `message.accepted` event: a batch, or the lone message of an event an
 * older dispatch published (still in the stream when the new fleet starts), in the delivery's
 * own trace.
 */
export function acceptedMessagesOf(
  data: MessagesAcceptedEvent | MessageAcceptedEvent,
  deliveryHeaders: Record<string, string>,
): AcceptedForSending[] {
  return 'messages' in data ? data.messages : [{ ...data, trace: deliveryHeaders }];
}

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
  /** The name of the device's sender (the `from` outbound messages use); absent in events from before it was carried. */
  sender?: string;
  from: string;
  text: string;
  profileName: string;
  atMs: number;
  /** What came with or instead of text; absent for plain text (and in events from before it was carried). */
  content?: InboundContent;
}

/** A received message's media, location and contact cards, in the incoming webhook's terms. */
export interface InboundContent {
  media?: { url: string; contentType: string; name: string };
  location?: {
    latitude: number;
    longitude: number;
    address: string;
    addressName: string;
    addressUrl: string;
  };
  contacts?: InboundContactCard[];
}

export interface InboundContactCard {
  contactName: string;
  contactCompany: string;
  /** YYYY-MM-DD, or empty. */
  birthday: string;
  phones: Array<{ phone: string; waId: string; type: string }>;
  emails: string[];
  urls: string[];
  addresses: string[];
}

export interface AccessChangedEvent {
  accountId: string;
  /** Set when one key changed; otherwise every cached key may be affected (an account's status). */
  keyHash?: string;
  reason: 'key.revoked' | 'account.suspended' | 'account.closed' | 'account.reactivated';
}

/** A template was created, edited, reviewed or deleted. */
export interface TemplateChangedEvent {
  accountId: string;
  templateId: string;
}

/** An endpoint (account + callback origin) had no successful delivery for the disable period. */
export interface WebhookEndpointDisabledEvent {
  accountId: string;
  /** `ep_<n>`. */
  endpointId: string;
  /** Scheme and authority, e.g. `https://example.com`. */
  origin: string;
  /** The first failed attempt since the last success. */
  failingSinceMs: number;
  disabledAtMs: number;
  consecutiveFailures: number;
  lastError: string;
}

export const eventId = {
  /**
   * A `message.accepted` event, named by the messages it carries: its first and last and how
   * many. A re-publish of the batch is dropped as a duplicate; a lone message keeps the name it
   * had when every event carried one.
   */
  accepted: (messageIds: readonly string[]) =>
    messageIds.length === 1
      ? `accepted:${messageIds[0]}`
      : `accepted:${messageIds[0]}+${messageIds.length - 1}:${messageIds[messageIds.length - 1]}`,
  status: (messageId: string, status: string) => `status:${messageId}:${status}`,
  inbound: (deviceId: string, deviceMessageKey: string) => `inbound:${deviceId}:${deviceMessageKey}`,
  /** One per change: `change` is unique per write (the template's revision stamp). */
  templateChanged: (templateId: string, change: string) => `template:${templateId}:${change}`,
  /** One per disabling: an endpoint enabled and disabled again is announced again. */
  webhookEndpointDisabled: (endpointId: string, disabledAtMs: number) =>
    `webhook-endpoint-disabled:${endpointId}:${disabledAtMs}`,
  deviceStateChanged: (historyId: string) => `device-state:${historyId}`,
};
