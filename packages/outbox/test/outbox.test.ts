import { type Bus, createMemoryBus, type Delivery, type PublishInput } from '@wagate/bus';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/testkit';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { enqueueEvents, type OutboxTable, startOutboxRelay } from '../src/outbox.js';

/** The table as the services' first migrations create it. */
const migrations = {
  '0001_outbox': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('outbox')
        .addColumn('seq', 'bigserial', (column) => column.primaryKey())
        .addColumn('topic', 'text', (column) => column.notNull())
        .addColumn('event_id', 'text', (column) => column.notNull())
        .addColumn('key', 'text', (column) => column.notNull())
        .addColumn('data', 'jsonb', (column) => column.notNull())
        .addColumn('headers', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
};

/** The real in-process bus, with a switch that makes publishing fail (a bus outage). */
function flakyBus(bus: Bus) {
  const state = { down: false, publishes: 0 };
  const wrapped: Bus = {
    ...bus,
    kind: bus.kind,
    publish(input: PublishInput) {
      if (state.down) return Promise.reject(new Error('bus unavailable'));
      state.publishes++;
      return bus.publish(input);
    },
    consume: (options) => bus.consume(options),
    close: () => bus.close(),
  };
  return { bus: wrapped, state };
}

function event(n: number): PublishInput {
  return { topic: 'test.outbox', id: `event-${n}`, key: `key-${n % 3}`, data: { n }, headers: { traceparent: `tp-${n}` } };
}

async function collect(bus: Bus) {
  const received: Delivery[] = [];
  await bus.consume({ topic: 'test.outbox', group: 'test', handler: async (d) => void received.push(d) });
  return received;
}

async function until(condition: () => boolean, timeoutMs = 10_000) {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(databaseAdapters())('outbox on $name', (adapter) => {
  let database: Database;
  let db: Kysely<OutboxTable>;
  let memory: Bus;

  beforeEach(async () => {
    database = await adapter.open();
    await migrateSchema(database, 'svc', migrations);
    db = withSchema<OutboxTable>(database, 'svc');
    memory = createMemoryBus();
  });
  afterEach(async () => {
    await memory.close();
    await database.close();
  });

  test('publishes committed events with their key and headers, and deletes them', async () => {
    const received = await collect(memory);
    await db.transaction().execute((trx) => enqueueEvents(trx, [event(1), event(2)]));
    const relay = startOutboxRelay({ db, bus: memory, name: 'test', pollMs: 50 });
    await until(() => received.length === 2);
    await relay.stop();
    expect(received.map((d) => [d.id, d.key, d.data, d.headers.traceparent])).toEqual([
      ['event-1', 'key-1', { n: 1 }, 'tp-1'],
      ['event-2', 'key-2', { n: 2 }, 'tp-2'],
    ]);
    expect(await db.selectFrom('outbox').selectAll().execute()).toEqual([]);
  });

  test('never publishes events of a rolled-back transaction', async () => {
    const received = await collect(memory);
    await expect(
      db.transaction().execute(async (trx) => {
        await enqueueEvents(trx, [event(1)]);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const relay = startOutboxRelay({ db, bus: memory, name: 'test', pollMs: 50 });
    await relay.flush();
    await relay.stop();
    expect(received).toEqual([]);
  });

  test('keeps events through a bus outage and publishes them when it is back', async () => {
    const { bus, state } = flakyBus(memory);
    const received = await collect(memory);
    state.down = true;
    const relay = startOutboxRelay({ db, bus, name: 'test', pollMs: 50 });
    await db.transaction().execute((trx) => enqueueEvents(trx, [event(1), event(2), event(3)]));
    relay.kick();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received).toEqual([]);
    expect(await db.selectFrom('outbox').select('event_id').execute()).toHaveLength(3);
    state.down = false;
    await until(() => received.length === 3);
    await relay.stop();
    expect(received.map((d) => d.id)).toEqual(['event-1', 'event-2', 'event-3']);
  });
});

describe('outbox with two relays on one PostgreSQL database', () => {
  test('each event is published by exactly one relay', async () => {
    const postgres = databaseAdapters().find((a) => a.name === 'postgres')!;
    const replicas = await postgres.openReplicas!(2);
    const memory = createMemoryBus();
    try {
      const [first, second] = replicas.handles.map((handle) => withSchema<OutboxTable>(handle, 'svc'));
      await migrateSchema(replicas.handles[0]!, 'svc', migrations);
      const a = flakyBus(memory);
      const b = flakyBus(memory);
      const events = Array.from({ length: 300 }, (_, n) => event(n));
      for (let i = 0; i < events.length; i += 50) {
        await first!.transaction().execute((trx) => enqueueEvents(trx, events.slice(i, i + 50)));
      }
      const relays = [
        startOutboxRelay({ db: first!, bus: a.bus, name: 'a', batchSize: 20, pollMs: 20 }),
        startOutboxRelay({ db: second!, bus: b.bus, name: 'b', batchSize: 20, pollMs: 20 }),
      ];
      await until(() => a.state.publishes + b.state.publishes >= 300);
      await Promise.all(relays.map((relay) => relay.stop()));
      expect(a.state.publishes + b.state.publishes).toBe(300);
      expect(await first!.selectFrom('outbox').selectAll().execute()).toEqual([]);
    } finally {
      await memory.close();
      await replicas.close();
    }
  });
});
