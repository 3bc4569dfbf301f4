import type { common, dispatch, MessageAcceptedEvent } from '@wagate/contracts';
import type { Blocklist } from '../blocklists/store.js';
import type { ConversationWindowPolicy } from '../conversation-window/policy.js';
import type { MessageRecord } from '../get-message.js';
import type { MessageSummary } from '../list-messages.js';
import type { OptOutsTable } from '../opt-outs/tables.js';
import type { CallbackRow } from '../webhooks/failed-callbacks.js';
import type { WebhookEndpointRow } from '../webhooks/webhook-endpoints.js';
import type { WebhookSettings } from '../webhooks/webhook-settings.js';
import type { Selectable } from 'kysely';

/**
 * Dispatch's domain types in their gRPC form: with fleet-client.ts, the only place outside the
 * accept path that knows the generated types, so a change of the proto is a change here. Times
 * go out as epoch milliseconds in decimal strings, '0' for none.
 */

const epochMs = (at: Date | null) => String(at?.getTime() ?? 0);

/** The accepted message has the proto's fields (see MessageAcceptedEvent); a proto change that adds one fails here. */
const messageToProto = (message: MessageAcceptedEvent): common.OutboundMessage => message;

export function messageRecordToProto(record: MessageRecord | undefined): dispatch.GetMessageResponse {
  if (!record) return { found: false, status: '', history: [] };
  return {
    found: true,
    message: messageToProto(record.message),
    status: record.status,
    history: record.history.map((entry) => ({
      status: entry.status,
      errorCode: entry.errorCode,
      atMs: epochMs(entry.at),
      source: entry.source,
      rule: entry.rule,
      reason: entry.reason,
    })),
  };
}

export function messageSummaryToProto(summary: MessageSummary): dispatch.MessageSummary {
  return {
    message: messageToProto(summary.message),
    status: summary.status,
    errorCode: summary.errorCode,
    updatedAtMs: epochMs(summary.updatedAt),
  };
}

export function webhookSettingsToProto(settings: WebhookSettings): dispatch.WebhookSettings {
  return {
    accountId: settings.accountId,
    incomingUrl: settings.incomingUrl,
    statusUrl: settings.statusUrl,
    updatedAtMs: epochMs(settings.updatedAt),
  };
}

export function conversationWindowPolicyToProto(
  policy: ConversationWindowPolicy,
): dispatch.ConversationWindowPolicy {
  return { accountId: policy.accountId, mode: policy.mode, updatedAtMs: epochMs(policy.updatedAt) };
}

export function blocklistToProto(blocklist: Blocklist): dispatch.Blocklist {
  return {
    accountId: blocklist.accountId,
    words: blocklist.words,
    domains: blocklist.domains,
    updatedAtMs: epochMs(blocklist.updatedAt),
  };
}

export function optOutToProto(row: Selectable<OptOutsTable>): dispatch.OptOut {
  return {
    recipient: row.recipient,
    source: row.source,
    createdAtMs: epochMs(row.created_at),
    keyword: row.keyword ?? '',
  };
}

export function webhookEndpointToProto(row: WebhookEndpointRow): dispatch.WebhookEndpoint {
  return {
    endpointId: `ep_${row.id}`,
    origin: row.origin,
    lastSuccessAtMs: epochMs(row.last_success_at),
    lastFailureAtMs: epochMs(row.last_failure_at),
    failingSinceMs: epochMs(row.failing_since),
    consecutiveFailures: row.consecutive_failures,
    lastError: row.last_error ?? '',
    disabledAtMs: epochMs(row.disabled_at),
  };
}

/** What every view of a callback shows. */
function callbackToProto(row: CallbackRow) {
  return {
    webhookId: `cb_${row.id}`,
    url: row.url,
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error ?? '',
    createdAtMs: epochMs(row.created_at),
    body: row.body,
  };
}

export function failedCallbackToProto(row: CallbackRow): dispatch.FailedCallback {
  return { ...callbackToProto(row), messageId: row.message_id };
}

export function messageCallbackToProto(row: CallbackRow): dispatch.MessageCallback {
  return {
    ...callbackToProto(row),
    ...(row.delivered_at ? { deliveredAtMs: epochMs(row.delivered_at) } : {}),
    ...(row.state === 'pending' ? { nextAttemptAtMs: epochMs(row.next_attempt_at) } : {}),
  };
}
