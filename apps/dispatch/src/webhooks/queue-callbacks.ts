import { currentTraceparent } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import type { DispatchTables } from '../db/tables.js';

export interface CallbackToQueue {
  accountId: string;
  /** Orders deliveries: a later callback of the same message waits for the earlier one. */
  messageId: string;
  url: string;
  /** The exact JSON body to POST. */
  body: string;
}

/**
 * Queues callbacks for the worker, due now, in the caller's transaction. The active trace
 * goes with each row, so its delivery continues the trace that caused it.
 */
export async function queueCallbacks(
  trx: Kysely<DispatchTables>,
  callbacks: CallbackToQueue[],
): Promise<void> {
  if (callbacks.length === 0) return;
  const traceparent = currentTraceparent();
  await trx
    .insertInto('callbacks')
    .values(
      callbacks.map((callback) => ({
        account_id: callback.accountId,
        message_id: callback.messageId,
        url: callback.url,
        body: callback.body,
        state: 'pending' as const,
        next_attempt_at: new Date(),
        lease_until: null,
        last_error: null,
        traceparent,
        delivered_at: null,
      })),
    )
    .execute();
}
