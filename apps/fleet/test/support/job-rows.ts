import type { Insertable } from 'kysely';
import type { JobsTable } from '../../src/db/tables.js';

/**
 * A row of fleet's job queue as enqueueJob writes it, for tests that fill the queue directly:
 * message `seq`, queued for `recipient`; anything else in `overrides`.
 */
export function jobRow(
  seq: number,
  recipient: string,
  overrides: Partial<Insertable<JobsTable>> = {},
): Insertable<JobsTable> {
  return {
    message_id: String(seq),
    job_id: `job_${seq}`,
    account_id: 'acc_1',
    sender_id: 'snd_1',
    recipient,
    device_id: null,
    state: 'queued',
    payload: JSON.stringify({ messageId: String(seq), recipient }),
    traceparent: '',
    updated_at: new Date(),
    ...overrides,
  };
}
