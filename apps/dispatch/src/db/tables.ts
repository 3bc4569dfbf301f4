import type { InboundContent } from '@wagate/contracts';
import type { OutboxTable } from '@wagate/outbox';
import type { ColumnType, Generated } from 'kysely';
import type { BlocklistTables } from '../blocklists/tables.js';
import type { ConversationWindowTables } from '../conversation-window/tables.js';
import type { OptOutTables } from '../opt-outs/tables.js';

export const DISPATCH_SCHEMA = 'dispatch';

export interface MessagesTable {
  id: string;
  account_id: string;
  sender: string;
  recipient: string;
  /** The whole message as accepted (OutboundMessage as JSON). */
  payload: ColumnType<Record<string, unknown>, string, string>;
  status: string;
  error_code: number;
  callback_url: string | null;
  callback_data: string | null;
  accepted_at: Date;
  updated_at: Date;
  /** Last time the message was announced again because it made no progress (see redrive.ts). */
  redriven_at: Date | null;
}

export interface StatusHistoryTable {
  message_id: string;
  status: string;
  error_code: number;
  at: Date;
  source: string;
  /** The policy rule that decided this status (see policy/); NULL when none did. */
  rule: ColumnType<string | null, string | null | undefined, string | null>;
  reason: ColumnType<string | null, string | null | undefined, string | null>;
  recorded_at: Generated<Date>;
}

/** Duplicate detection (policy/duplicate-rule.ts): the latest message per content fingerprint. */
export interface DuplicateFingerprintsTable {
  account_id: string;
  fingerprint: string;
  message_id: string;
  seen_at: Date;
}

export interface CallbacksTable {
  id: Generated<string>;
  account_id: string;
  message_id: string;
  url: string;
  /** The exact JSON body: kept as text so 64-bit ids are written as the digits they are. */
  body: string;
  /** `failed`: the endpoint refused for good (4xx other than 429, or a forbidden address); `dead`: gave up after 3 days. */
  state: 'pending' | 'delivered' | 'failed' | 'dead';
  attempts: Generated<number>;
  next_attempt_at: Date;
  lease_until: Date | null;
  last_error: string | null;
  traceparent: string;
  created_at: Generated<Date>;
  delivered_at: Date | null;
}

/** Per-account webhook settings; NULL means not set. */
export interface AccountSettingsTable {
  account_id: string;
  incoming_url: string | null;
  /** Where status callbacks go for messages accepted without a callbackUrl. */
  status_url: string | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** Standard Webhooks signing secrets; see webhooks/webhook-secrets.ts. */
export interface WebhookSecretsTable {
  id: Generated<string>;
  account_id: string;
  /** Before secrets were sealed; emptied (NULL) by sealWebhookSecretsAtRest at the first start after. */
  plaintext_secret: string | null;
  /** The key-encryption key that wrapped `wrapped_key` (an id in WAGATE_SECRET_KEYS). */
  key_id: string | null;
  /** The row's data key, encrypted with `key_id`'s key (AES-256-GCM, base64). */
  wrapped_key: string | null;
  /** The `whsec_…` secret encrypted with the data key (AES-256-GCM, base64). */
  sealed_secret: string | null;
  created_at: Generated<Date>;
  /** NULL for the account's current secret; set when it is rotated out. */
  expires_at: Date | null;
}

export interface DispatchTables extends OutboxTable, ConversationWindowTables, BlocklistTables, OptOutTables {
  sender_outcomes: SenderOutcomesTable;
  senders_seen: SendersSeenTable;
  text_fanout: TextFanoutTable;
  webhook_secrets: WebhookSecretsTable;
  messages: MessagesTable;
  status_history: StatusHistoryTable;
  callbacks: CallbacksTable;
  account_settings: AccountSettingsTable;
  inbound_messages: InboundMessagesTable;
  duplicate_fingerprints: DuplicateFingerprintsTable;
  rate_buckets: RateBucketsTable;
  webhook_endpoints: WebhookEndpointsTable;
}

/** A token bucket of a policy rate limit (policy/account-rate-rule.ts). */
export interface RateBucketsTable {
  bucket: string;
  tokens: ColumnType<number, number, unknown>;
  refilled_at_ms: string;
}

/** Delivery health per account and callback origin; see webhooks/endpoint-health.ts. */
export interface WebhookEndpointsTable {
  id: Generated<string>;
  account_id: string;
  /** Scheme and authority, lower case, as the worker's per-origin limit counts them. */
  origin: string;
  last_success_at: Date | null;
  last_failure_at: Date | null;
  /** The first failed attempt since the last success; NULL while the endpoint is healthy. */
  failing_since: Date | null;
  consecutive_failures: Generated<number>;
  last_error: string | null;
  /** Set when it failed for the whole disable period; NULL while enabled. */
  disabled_at: Date | null;
}

/** Messages devices received; `id` is the contract's `incomingMessageId`. */
export interface InboundMessagesTable {
  id: Generated<string>;
  account_id: string;
  device_id: string;
  device_message_key: string;
  to: string;
  from: string;
  text: string;
  profile_name: string;
  /** Media, location, contact cards (InboundContent), or null for plain text. */
  content: ColumnType<InboundContent | null, string | null, string | null>;
  received_at: Date;
  recorded_at: Generated<Date>;
}

/** The first delivery outcome a device reported for a message, per sender: the failing-sender rule reads it. */
export interface SenderOutcomesTable {
  message_id: string;
  account_id: string;
  sender: string;
  failed: boolean;
  at: Date;
}

/** When the account first sent from a sender: its age for the young-sender rule. */
export interface SendersSeenTable {
  account_id: string;
  sender: string;
  first_accepted_at: Date;
}

/** Which recipients got one text from one sender, and when last: the young-sender rule counts them. */
export interface TextFanoutTable {
  account_id: string;
  sender: string;
  text_fingerprint: string;
  /** The empty string is the group's own row, locked while a batch counts its recipients. */
  recipient: string;
  seen_at: Date;
}
