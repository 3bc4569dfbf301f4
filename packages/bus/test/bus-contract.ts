import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import type { Bus, Delivery } from '../src/index.js';
import { activeResourceCounts, resourcesAbove, sleep, waitFor } from './polling.js';

const TOPIC = 'message.accepted';

/**
 * The behaviour every bus adapter must share. `makeBus` returns a new bus instance on the
 * current test's stream: two calls within one test behave like two processes sharing it,
 * while separate tests never see each other's messages.
 */
export function runBusContract(name: string, makeBus: () => Promise<Bus>): void {
  describe(`bus contract: ${name}`, () => {
    const opened: Bus[] = [];
    const openBus = async (): Promise<Bus> => {
      const bus = await makeBus();
      opened.push(bus);
      return bus;
    };

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((bus) => bus.close()));
    });

    test('publish then consume delivers data, headers, key and id', async () => {
      const bus = await openBus();
      const id = randomUUID();
      const result = await bus.publish({
        topic: TOPIC,
        id,
        key: 'sender-1',
        data: { text: 'hello', parts: [1, 2] },
        headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      });
      expect(result).toEqual({ duplicate: false });

      const received: Delivery[] = [];
      await bus.consume({ topic: TOPIC, group: 'workers', handler: async (d) => void received.push(d) });

      await waitFor('the delivery', () => received.length === 1);
      expect(received[0]).toEqual({
        topic: TOPIC,
        id,
        key: 'sender-1',
        data: { text: 'hello', parts: [1, 2] },
        headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        deliveryCount: 1,
      });
    });

    test('a group created after publishing still receives the earlier messages', async () => {
      const bus = await openBus();
      const ids = Array.from({ length: 5 }, () => randomUUID());
      for (const [n, id] of ids.entries()) await bus.publish({ topic: TOPIC, id, key: `k${n}`, data: { n } });

      const received: string[] = [];
      await bus.consume({
        topic: TOPIC,
        group: 'late-joiners',
        handler: async (d) => void received.push(d.id),
      });

      await waitFor('all five earlier messages', () => received.length === ids.length);
      expect(received.toSorted()).toEqual(ids.toSorted());
    });

    test('two members of one group split the deliveries, each message handled once', async () => {
      const [busA, busB] = [await openBus(), await openBus()];
      const handledBy = new Map<string, string[]>();
      const member = (memberName: string) => async (d: Delivery) => {
        handledBy.set(d.id, [...(handledBy.get(d.id) ?? []), memberName]);
        await sleep(10);
      };
      await busA.consume({ topic: TOPIC, group: 'workers', maxInFlight: 2, handler: member('A') });
      await busB.consume({ topic: TOPIC, group: 'workers', maxInFlight: 2, handler: member('B') });

      const ids = Array.from({ length: 40 }, () => randomUUID());
      for (const [n, id] of ids.entries())
        await busA.publish({ topic: TOPIC, id, key: `k${n}`, data: { n } });

      await waitFor('every message handled', () => ids.every((id) => handledBy.has(id)));
      const handlers = ids.map((id) => handledBy.get(id)!);
      expect(handlers.filter((members) => members.length !== 1)).toEqual([]);
      const byA = handlers.filter(([memberName]) => memberName === 'A').length;
      expect(byA).toBeGreaterThan(0);
      expect(byA).toBeLessThan(ids.length);
    });

    test('two different groups each receive every message', async () => {
      const bus = await openBus();
      const billing: string[] = [];
      const dispatch: string[] = [];
      await bus.consume({ topic: TOPIC, group: 'billing', handler: async (d) => void billing.push(d.id) });
      await bus.consume({ topic: TOPIC, group: 'dispatch', handler: async (d) => void dispatch.push(d.id) });

      const ids = Array.from({ length: 10 }, () => randomUUID());
      for (const [n, id] of ids.entries()) await bus.publish({ topic: TOPIC, id, key: `k${n}`, data: { n } });

      await waitFor('both groups to see all messages', () => billing.length >= 10 && dispatch.length >= 10);
      expect(billing.toSorted()).toEqual(ids.toSorted());
      expect(dispatch.toSorted()).toEqual(ids.toSorted());
    });

    test('a handler that throws gets the delivery again with deliveryCount 2', async () => {
      const bus = await openBus();
      const attempts: Delivery[] = [];
      await bus.consume({
        topic: TOPIC,
        group: 'flaky',
        handler: async (d) => {
          attempts.push(d);
          if (d.deliveryCount === 1) throw new Error('downstream unavailable');
        },
      });
      const id = randomUUID();
      await bus.publish({ topic: TOPIC, id, key: 'k', data: { attempt: 'me' } });

      await waitFor('the redelivery', () => attempts.length >= 2);
      expect(attempts.map((d) => [d.id, d.deliveryCount, d.data])).toEqual([
        [id, 1, { attempt: 'me' }],
        [id, 2, { attempt: 'me' }],
      ]);
    });

    test('a delivery held by a crashed member goes to another member after ack wait', async () => {
      const crashing = await openBus();
      const heldByA: Delivery[] = [];
      await crashing.consume({
        topic: TOPIC,
        group: 'workers',
        ackWaitMs: 800,
        handler: (d) => {
          heldByA.push(d);
          return new Promise<void>(() => {}); // hangs: never acks
        },
      });
      const id = randomUUID();
      await crashing.publish({ topic: TOPIC, id, key: 'k', data: { precious: true } });
      await waitFor('member A to hold the delivery', () => heldByA.length === 1);

      await crashing.close(); // must not wait for the hung handler

      const survivor = await openBus();
      const receivedByB: Delivery[] = [];
      await survivor.consume({
        topic: TOPIC,
        group: 'workers',
        ackWaitMs: 800,
        handler: async (d) => void receivedByB.push(d),
      });
      await waitFor('member B to receive the redelivery', () => receivedByB.length >= 1);
      expect(receivedByB[0]).toMatchObject({ id, data: { precious: true } });
      expect(receivedByB[0]!.deliveryCount).toBeGreaterThanOrEqual(2);
    });

    test('publishing the same id twice is reported as duplicate and delivered once', async () => {
      const bus = await openBus();
      const id = randomUUID();
      expect(await bus.publish({ topic: TOPIC, id, key: 'k', data: { copy: 1 } })).toEqual({
        duplicate: false,
      });
      expect(await bus.publish({ topic: TOPIC, id, key: 'k', data: { copy: 2 } })).toEqual({
        duplicate: true,
      });
      // Same key, published after: once it arrives, any second copy of `id` would have too.
      const sentinel = randomUUID();
      await bus.publish({ topic: TOPIC, id: sentinel, key: 'k', data: { sentinel: true } });

      const received: Delivery[] = [];
      await bus.consume({ topic: TOPIC, group: 'workers', handler: async (d) => void received.push(d) });

      await waitFor('the sentinel', () => received.some((d) => d.id === sentinel));
      expect(received.filter((d) => d.id === id).map((d) => d.data)).toEqual([{ copy: 1 }]);
    });

    test('deliveries with one key are handled one at a time in publish order; keys interleave', async () => {
      const bus = await openBus();
      const keys = ['alice', 'bob', 'carol'];
      const perKey = 30;
      for (let n = 0; n < perKey; n++) {
        for (const key of keys) {
          await bus.publish({ topic: TOPIC, id: randomUUID(), key, data: { key, n } });
        }
      }

      const seen = new Map<string, number[]>(keys.map((key) => [key, []]));
      const startOrder: string[] = [];
      const running = new Map<string, number>();
      let overlapsWithinKey = 0;
      let mostKeysAtOnce = 0;
      await bus.consume<{ key: string; n: number }>({
        topic: TOPIC,
        group: 'ordered',
        handler: async ({ key, data }) => {
          running.set(key, (running.get(key) ?? 0) + 1);
          if (running.get(key)! > 1) overlapsWithinKey++;
          mostKeysAtOnce = Math.max(mostKeysAtOnce, [...running.values()].filter((c) => c > 0).length);
          startOrder.push(key);
          seen.get(key)!.push(data.n);
          await sleep(Math.floor(Math.random() * 4));
          running.set(key, running.get(key)! - 1);
        },
      });

      await waitFor('every message', () => startOrder.length === keys.length * perKey);
      const inOrder = Array.from({ length: perKey }, (_, n) => n);
      for (const key of keys) expect(seen.get(key)).toEqual(inOrder);
      expect(overlapsWithinKey).toBe(0);
      expect(mostKeysAtOnce).toBeGreaterThan(1);
      const keySwitches = startOrder.filter((key, i) => i > 0 && key !== startOrder[i - 1]).length;
      expect(keySwitches).toBeGreaterThan(keys.length);
    });

    test('closing a subscription waits for the handlers in flight', async () => {
      const bus = await openBus();
      let release: () => void = () => {};
      let handlerFinished = false;
      let started = false;
      const subscription = await bus.consume({
        topic: TOPIC,
        group: 'workers',
        handler: async () => {
          started = true;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          handlerFinished = true;
        },
      });
      await bus.publish({ topic: TOPIC, id: randomUUID(), key: 'k', data: {} });
      await waitFor('the handler to start', () => started);

      let closed = false;
      const closing = subscription.close().then(() => {
        closed = true;
      });
      await sleep(50);
      expect(closed).toBe(false);
      release();
      await closing;
      expect(handlerFinished).toBe(true);
    });

    test('closing a subscription hands the deliveries it had not started to other members', async () => {
      const [busA, busB] = [await openBus(), await openBus()];
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) await busA.publish({ topic: TOPIC, id, key: 'one-key', data: {} });

      let releaseA: () => void = () => {};
      const startedByA: string[] = [];
      const subscriptionA = await busA.consume({
        topic: TOPIC,
        group: 'workers',
        handler: async (d) => {
          startedByA.push(d.id);
          await new Promise<void>((resolve) => {
            releaseA = resolve;
          });
        },
      });
      // The first blocks A; the others queue behind it (same key).
      await waitFor('A to start the first delivery', () => startedByA.length === 1);

      // B joins only after A began closing: nobody else was pulling when A handed them back.
      const closingA = subscriptionA.close();
      await sleep(100);
      const receivedByB: string[] = [];
      await busB.consume({
        topic: TOPIC,
        group: 'workers',
        handler: async (d) => void receivedByB.push(d.id),
      });
      // Well inside the default 30 s ack wait: handed back, not timed out.
      await waitFor('B to receive the rest', () => receivedByB.length === 2);
      expect(receivedByB.toSorted()).toEqual(ids.slice(1).toSorted());
      expect(startedByA).toEqual([ids[0]]);
      releaseA();
      await closingA;
    });

    test('a broadcast reaches every subscriber on every bus instance, from the moment it subscribed', async () => {
      const [publisher, other] = [await openBus(), await openBus()];
      const topic = 'billing.access.changed';
      await publisher.publish({ topic, id: randomUUID(), key: 'k', data: { n: 0 } });
      const seenHere: unknown[] = [];
      const seenThere: unknown[] = [];
      const here = await publisher.broadcast({ topic, handler: (data) => void seenHere.push(data) });
      await other.broadcast({ topic, handler: (data) => void seenThere.push(data) });
      // A group consumer on the same topic does not take broadcasts away from subscribers.
      const consumed: string[] = [];
      await other.consume({ topic, group: 'workers', handler: async (d) => void consumed.push(d.id) });

      await publisher.publish({ topic, id: randomUUID(), key: 'k', data: { n: 1 } });
      await waitFor('both subscribers', () => seenHere.length === 1 && seenThere.length === 1);
      expect(seenHere).toEqual([{ n: 1 }]);
      expect(seenThere).toEqual([{ n: 1 }]);
      await waitFor('the group consumer', () => consumed.length === 2);

      await here.close();
      await publisher.publish({ topic, id: randomUUID(), key: 'k', data: { n: 2 } });
      await waitFor('the remaining subscriber', () => seenThere.length === 2);
      expect(seenThere).toEqual([{ n: 1 }, { n: 2 }]);
      expect(seenHere).toEqual([{ n: 1 }]);
    });

    test('ping answers while the bus is open and fails once it is closed (readiness probes use it)', async () => {
      const bus = await makeBus();
      await expect(bus.ping()).resolves.toBeUndefined();
      await bus.close();
      await expect(bus.ping()).rejects.toThrow(/closed/);
    });

    test('close() releases every handle, and a closed bus refuses to publish', async () => {
      const baseline = activeResourceCounts();
      const bus = await makeBus();
      const received: string[] = [];
      const subscription = await bus.consume({
        topic: TOPIC,
        group: 'workers',
        ackWaitMs: 1_000,
        handler: async (d) => void received.push(d.id),
      });
      await bus.publish({ topic: TOPIC, id: randomUUID(), key: 'k', data: {} });
      await waitFor('the delivery', () => received.length === 1);

      await subscription.close();
      await bus.close();

      // Sockets close asynchronously; poll, then report whatever is left by type.
      await waitFor('handles to be released', () => resourcesAbove(baseline).length === 0).catch(() => {});
      expect(resourcesAbove(baseline)).toEqual([]);
      await expect(bus.publish({ topic: TOPIC, id: randomUUID(), key: 'k', data: {} })).rejects.toThrow(
        /closed/,
      );
    });
  });
}
