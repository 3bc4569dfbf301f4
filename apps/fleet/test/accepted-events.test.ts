import { openBus } from '@wagate/bus';
import { type AcceptedForSending, eventId, type MessagesAcceptedEvent, Topics } from '@wagate/contracts';
import { withSchema } from '@wagate/db';
import type { Kysely } from 'kysely';
import { databaseAdapters } from '@wagate/db/testing';
import { initTelemetry, type Telemetry } from '@wagate/telemetry';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { startFleet } from '../src/index.js';

const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 15_000, interval: 25 });

const traceparentOf = (digit: string) => `00-${digit.repeat(32)}-00f067aa0ba902b7-01`;

function accepted(messageId: string, recipient: string, traceDigit: string): AcceptedForSending {
  return {
    messageId,
    accountId: 'acc_1',
    sender: 'MyCompany',
    recipient,
    text: `hello ${messageId}`,
    templateParams: {},
    validitySeconds: 0,
    acceptedAtMs: String(Date.now()),
    trace: { traceparent: traceparentOf(traceDigit) },
  };
}

// Traces are what the jobs carry on: with no tracer provider there is no trace to carry.
let telemetry: Telemetry;
beforeAll(() => {
  telemetry = initTelemetry({ serviceName: 'fleet-test' });
});
afterAll(() => telemetry.shutdown());

describe.each(databaseAdapters())('message.accepted events on $name', (adapter) => {
  /** A fleet with the account's sender, on a fresh database and an in-process bus; `publish` puts an event on the bus. */
  async function withFleet(
    run: (
      db: Kysely<FleetTables>,
      publish: (id: string, data: unknown, headers?: Record<string, string>) => Promise<unknown>,
    ) => Promise<void>,
  ): Promise<void> {
    const database = await adapter.open();
    const bus = await openBus('memory://');
    const fleet = await startFleet({ database, bus });
    try {
      await fleet.ensureDefaultSender('acc_1', 'MyCompany');
      await run(withSchema<FleetTables>(database, FLEET_SCHEMA), (id, data, headers = {}) =>
        bus.publish({ topic: Topics.messageAccepted, id, key: id, data, headers }),
      );
    } finally {
      await fleet.stop();
      await bus.close();
      await database.close();
    }
  }

  test("queues a job for each message of an event, in order, each in its own send's trace; a repeat queues none twice", async () => {
    await withFleet(async (db, publish) => {
      const batch: MessagesAcceptedEvent = {
        accountId: 'acc_1',
        messages: [
          accepted('101', '79161230001', 'a'),
          accepted('102', '79161230002', 'b'),
          accepted('103', '79161230001', 'c'),
        ],
      };
      await publish(eventId.accepted(['101', '102', '103']), batch, batch.messages[0]!.trace);
      // An event as a dispatch from before batching published it: one bare message, its trace in the headers.
      const { trace, ...lone } = accepted('104', '79161230003', 'd');
      await publish(eventId.accepted(['104']), lone, trace);

      const jobs = () =>
        db
          .selectFrom('jobs')
          .select(['message_id', 'recipient', 'traceparent', 'state'])
          .orderBy('seq')
          .execute();
      await waitFor(async () => expect(await jobs()).toHaveLength(4));
      const queued = await jobs();
      expect(queued.map((job) => job.message_id)).toEqual(['101', '102', '103', '104']);
      expect(queued.every((job) => job.state === 'queued')).toBe(true);
      // Each job goes on in the trace of the send that made its message (the device continues it).
      expect(queued.map((job) => job.traceparent.split('-')[1])).toEqual(
        ['a', 'b', 'c', 'd'].map((digit) => digit.repeat(32)),
      );

      // The same messages announced again (redrive, under a new event id) queue nothing more.
      await publish('accepted:again', batch);
      await publish('accepted:again-2', {
        accountId: 'acc_1',
        messages: [accepted('105', '79161230004', 'e')],
      });
      await waitFor(async () => expect(await jobs()).toHaveLength(5));
      expect((await jobs()).map((job) => job.message_id)).toEqual(['101', '102', '103', '104', '105']);
    });
  });

  test("an account's events, published one after another, are queued in that order even when handled at once", async () => {
    await withFleet(async (db, publish) => {
      // 40 events of 3 messages; every third message goes to the same recipient, one conversation.
      const ids: string[] = [];
      for (let event = 0; event < 40; event++) {
        const messages = [0, 1, 2].map((i) => {
          const id = String(1_000 + event * 3 + i);
          ids.push(id);
          return accepted(
            id,
            i === 0 ? '79161230009' : `7916124${String(event * 3 + i).padStart(4, '0')}`,
            'f',
          );
        });
        await publish(eventId.accepted(messages.map((message) => message.messageId)), {
          accountId: 'acc_1',
          messages,
        });
      }
      const jobs = () => db.selectFrom('jobs').select('message_id').orderBy('seq').execute();
      await waitFor(async () => expect(await jobs()).toHaveLength(120));
      expect((await jobs()).map((job) => job.message_id)).toEqual(ids);
    });
  });
});
