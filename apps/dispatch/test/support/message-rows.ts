import type { Insertable } from 'kysely';
import type { CallbacksTable, MessagesTable } from '../../src/db/tables.js';

export interface MessageFields {
  id: string;
  accountId: string;
  sender?: string;
  recipient?: string;
  status?: string;
  callbackUrl?: string | null;
  acceptedAt?: Date;
}

/** A `messages` row as accept.ts writes it, for tests that seed the table directly. */
export function messageRow(fields: MessageFields): Insertable<MessagesTable> {
  const sender = fields.sender ?? 'MyCompany';
  const recipient = fields.recipient ?? '79034567890';
  const acceptedAt = fields.acceptedAt ?? new Date();
  return {
    id: fields.id,
    account_id: fields.accountId,
    sender,
    recipient,
    payload: JSON.stringify({
      messageId: fields.id,
      accountId: fields.accountId,
      sender,
      recipient,
      text: `message ${fields.id}`,
      templateParams: {},
      validitySeconds: 0,
      acceptedAtMs: String(acceptedAt.getTime()),
      ...(fields.callbackUrl ? { callbackUrl: fields.callbackUrl } : {}),
    }),
    status: fields.status ?? 'ACCEPTED',
    error_code: 0,
    callback_url: fields.callbackUrl ?? null,
    callback_data: null,
    accepted_at: acceptedAt,
    updated_at: acceptedAt,
    redriven_at: null,
  };
}

/** A pending `callbacks` row, due now, of one status callback, for tests that queue callbacks directly. */
export function pendingCallbackRow(fields: {
  accountId: string;
  messageId: string;
  url: string;
  status: string;
}): Insertable<CallbacksTable> {
  return {
    account_id: fields.accountId,
    message_id: fields.messageId,
    url: fields.url,
    body: `[{"messageId":${fields.messageId},"status":"${fields.status}"}]`,
    state: 'pending',
    next_attempt_at: new Date(),
    lease_until: null,
    last_error: null,
    traceparent: '',
    delivered_at: null,
  };
}
