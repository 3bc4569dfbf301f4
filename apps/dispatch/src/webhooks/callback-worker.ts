import { createLogger, contextFromHeaders, inSpan, SpanKind } from '@wagate/telemetry';
import { type Pump, startPump } from '@wagate/outbox';
import { type Kysely, sql } from 'kysely';
import type { DispatchTables } from '../db/tables.js';
import { GIVE_UP_AFTER_MS, retryDelayMs } from './retry-schedule.js';

const log = createLogger('dispatch:callbacks');
const ATTEMPT_TIMEOUT_MS = 10_000;
const LEASE_MS = 30_000;

export type CallbackWorker = Pump;

/**
 * Delivers status callbacks from the `callbacks` table, at least once. A row is leased (not
 * held in a transaction) while its POST is in flight, so a slow endpoint never holds a
 * database connection, and a crash mid-delivery only means the lease runs out and the row is
 * tried again. Per message, a later status waits until the earlier one is delivered.
 */
export function startCallbackWorker(db: Kysely<DispatchTables>, options: { pollMs?: number } = {}): CallbackWorker {
  async function claimDue() {
    return db
      .updateTable('callbacks')
      .set({ lease_until: sql`now() + ${`${LEASE_MS} milliseconds`}::interval`, attempts: sql`attempts + 1` })
      .where(
        'id',
        'in',
        db
          .selectFrom('callbacks as c')
          .select('c.id')
          .where('c.state', '=', 'pending')
          .where('c.next_attempt_at', '<=', sql<Date>`now()`)
          .where((eb) => eb.or([eb('c.lease_until', 'is', null), eb('c.lease_until', '<', sql<Date>`now()`)]))
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('callbacks as earlier')
                  .select('earlier.id')
                  .whereRef('earlier.message_id', '=', 'c.message_id')
                  .where('earlier.state', '=', 'pending')
                  .whereRef('earlier.id', '<', 'c.id'),
              ),
            ),
          )
          .orderBy('c.id')
          .limit(100)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .execute();
  }

  async function deliver(row: Awaited<ReturnType<typeof claimDue>>[number]): Promise<void> {
    await inSpan(
      'dispatch.callback.deliver',
      {
        kind: SpanKind.CLIENT,
        parent: contextFromHeaders({ traceparent: row.traceparent }),
        attributes: { 'wagate.message_id': row.message_id, 'wagate.callback.attempt': row.attempts },
      },
      async (span) => {
        let failure: string | undefined;
        try {
          const response = await fetch(row.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'user-agent': 'wagate-callbacks/1', 'webhook-id': `cb_${row.id}` },
            body: row.body,
            signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
            redirect: 'manual',
          });
          span.setAttribute('http.response.status_code', response.status);
          await response.body?.cancel();
          if (response.status < 200 || response.status >= 300) failure = `HTTP ${response.status}`;
        } catch (error) {
          failure = (error as Error).message;
        }
        if (failure === undefined) {
          await db
            .updateTable('callbacks')
            .set({ state: 'delivered', delivered_at: new Date(), lease_until: null, last_error: null })
            .where('id', '=', row.id)
            .execute();
          return;
        }
        const givingUp = Date.now() - row.created_at.getTime() > GIVE_UP_AFTER_MS;
        log.warn({ callbackId: row.id, messageId: row.message_id, attempts: row.attempts, failure, givingUp }, 'callback failed');
        await db
          .updateTable('callbacks')
          .set({
            state: givingUp ? 'dead' : 'pending',
            next_attempt_at: new Date(Date.now() + retryDelayMs(row.attempts)),
            lease_until: null,
            last_error: failure,
          })
          .where('id', '=', row.id)
          .execute();
      },
    );
  }

  return startPump({
    pollMs: options.pollMs ?? 500,
    async drainOnce() {
      let claimed = await claimDue();
      while (claimed.length > 0) {
        await Promise.all(claimed.map(deliver));
        claimed = await claimDue();
      }
    },
    onError: (error) => log.error({ err: error }, 'callback worker pass failed'),
  });
}
