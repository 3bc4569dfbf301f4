import { createLogger } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import type { BillingTables } from '../db/tables.js';
import { release } from './settle.js';

const log = createLogger('billing:sweep');

/** Dispatch, as far as the sweep needs it: which of these messages it holds. */
export type FindMessages = (messageIds: string[]) => Promise<Set<string>>;

export interface UnacceptedSweepOptions {
  /** A reservation untouched this long whose message dispatch does not hold is released. */
  olderThanMs: number;
  /** How many reservations are looked at per call to dispatch. */
  batchSize?: number;
}

/**
 * Releases reservations whose message never reached dispatch: the api reserves, then asks
 * dispatch to accept, and when it dies (or dispatch fails) in between, nothing else would
 * ever settle them. Reservations untouched for `olderThanMs` are put to dispatch in batches;
 * those it does not hold are released as REJECTED (usage shows them so, nothing is charged),
 * those it holds are touched, so each is asked about once per `olderThanMs` (dispatch settles
 * them with a status). The release only takes rows still untouched: a retry of the request
 * that reserved again in the meantime (it touches the row before calling dispatch) keeps its hold.
 * Returns how many were released.
 */
export async function sweepUnaccepted(
  db: Kysely<BillingTables>,
  findMessages: FindMessages,
  options: UnacceptedSweepOptions,
): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  const cutoff = new Date(Date.now() - options.olderThanMs);
  let released = 0;
  for (;;) {
    const open = await db
      .selectFrom('reservations')
      .select('message_id')
      .where('state', '=', 'reserved')
      .where('updated_at', '<', cutoff)
      .orderBy('updated_at')
      .limit(batchSize)
      .execute();
    if (open.length === 0) return released;
    const ids = open.map((row) => String(row.message_id));
    const found = await findMessages(ids);
    const missing = ids.filter((id) => !found.has(id));
    const held = ids.filter((id) => found.has(id));
    if (held.length > 0) {
      await db
        .updateTable('reservations')
        .set({ updated_at: new Date() })
        .where('message_id', 'in', held)
        .where('state', '=', 'reserved')
        .execute();
    }
    if (missing.length > 0) {
      const count = await release(db, missing, { finalStatus: 'REJECTED', untouchedSince: cutoff });
      released += count;
      if (count > 0) log.info({ count }, 'released reservations whose message never reached dispatch');
    }
    if (open.length < batchSize) return released;
  }
}

/** Runs `sweepUnaccepted` every `everyMs` until stopped; a sweep that fails (dispatch down) waits for the next. */
export function startUnacceptedSweep(
  db: Kysely<BillingTables>,
  findMessages: FindMessages,
  options: UnacceptedSweepOptions & { everyMs: number },
): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = sweepUnaccepted(db, findMessages, options)
      .catch((error: unknown) =>
        log.warn({ err: error }, 'sweeping unaccepted reservations failed; trying again later'),
      )
      .finally(() => {
        running = undefined;
      });
  }, options.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
