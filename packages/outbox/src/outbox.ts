import type { Bus, PublishInput } from '@wagate/bus';
import { createLogger, observeGauges, secondsSince } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import { type Pump, startPump } from './pump.js';

/**
 * The transactional outbox: a service writes its state change and the events announcing it
 * in ONE transaction; a relay publishes the events afterwards and deletes them once the bus
 * has them. An accepted message is therefore never lost between the database and the bus,
 * and a crash at any point only leads to a re-publish, which consumers dedupe by event id.
 */

/**
 * The `outbox` table in a service's schema. Each service creates it in its own first migration,
 * written out there rather than called from here: a migration never changes after it ships.
 */
export interface OutboxTable {
  outbox: {
    seq: string;
    topic: string;
    event_id: string;
    key: string;
    data: unknown;
    headers: Record<string, string>;
    created_at: Date;
  };
}

/** Adds events to the outbox inside the caller's transaction. */
export async function enqueueEvents(trx: Kysely<any>, events: PublishInput[]): Promise<void> {
  if (events.length === 0) return;
  await (trx as Kysely<OutboxTable>)
    .insertInto('outbox')
    .values(
      events.map((event) => ({
        topic: event.topic,
        event_id: event.id,
        key: event.key,
        data: JSON.stringify(event.data),
        headers: JSON.stringify(event.headers ?? {}),
      })) as never,
    )
    .execute();
}

export type OutboxRelay = Pump;

/**
 * Publishes pending events in insertion order. Several replicas may run relays on one
 * schema: `FOR UPDATE SKIP LOCKED` gives each batch to one of them.
 */
export function startOutboxRelay(options: {
  db: Kysely<any>;
  bus: Bus;
  name: string;
  batchSize?: number;
  pollMs?: number;
}): OutboxRelay {
  const db = options.db as Kysely<OutboxTable>;
  const batchSize = options.batchSize ?? 500;
  const log = createLogger(`${options.name}:outbox`);

  async function publishBatch(): Promise<number> {
    return db.transaction().execute(async (trx) => {
      // Taken and deleted in one statement; the deletion commits only once the bus has every
      // event (a failed publish throws and rolls it back), so nothing is lost either way.
      const taken = await trx
        .deleteFrom('outbox')
        .where('seq', 'in', (eb) =>
          eb.selectFrom('outbox').select('seq').orderBy('seq').limit(batchSize).forUpdate().skipLocked(),
        )
        .returningAll()
        .execute();
      if (taken.length === 0) return 0;
      // DELETE … RETURNING names no order; publishing in call order keeps the stream in outbox order.
      const rows = taken.sort((a, b) => compareSeq(a.seq, b.seq));
      await Promise.all(
        rows.map((row) =>
          options.bus.publish({
            topic: row.topic,
            id: row.event_id,
            key: row.key,
            data: row.data,
            headers: row.headers,
          }),
        ),
      );
      return rows.length;
    });
  }

  // Outbox lag, read at scrape time: how many events wait for the bus and since when.
  const stopObserving = observeGauges(
    'outbox',
    {
      'wagate.outbox.pending': { description: 'Events written to the outbox and not yet on the bus' },
      'wagate.outbox.lag_seconds': {
        description: 'Age of the oldest event not yet on the bus (0 when none)',
        unit: 's',
      },
    },
    async (record) => {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => [eb.fn.countAll<string>().as('pending'), eb.fn.min('created_at').as('oldest')])
        .executeTakeFirst();
      const attributes = { outbox: options.name };
      record('wagate.outbox.pending', Number(row?.pending ?? 0), attributes);
      record('wagate.outbox.lag_seconds', secondsSince(row?.oldest as Date | null | undefined), attributes);
    },
    (error) => log.warn({ err: error }, 'reading the outbox lag failed'),
  );

  const pump = startPump({
    pollMs: options.pollMs ?? 1_000,
    async drainOnce() {
      while ((await publishBatch()) === batchSize) {
        // A full batch means more may be waiting.
      }
    },
    onError: (error, failures) => log.warn({ err: error, failures }, 'outbox publish failed; will retry'),
  });
  return {
    ...pump,
    async stop() {
      stopObserving();
      await pump.stop();
    },
  };
}

/** Orders bigserial values (decimal strings from pg; whatever an adapter hands back, as BigInt). */
function compareSeq(a: string, b: string): number {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}
