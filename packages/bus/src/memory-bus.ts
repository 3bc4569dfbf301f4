import { consumeSettings } from './consume-settings.js';
import { createDeliveryWorker, type DeliveryReceipt, type DeliveryWorker } from './delivery-worker.js';
import { createMemoryBroker, type MemoryBroker, type MemoryBrokerOptions } from './memory-broker.js';
import type { ConsumerGroup, GroupMember } from './memory-consumer-group.js';
import { decodePayload } from './payload-codec.js';
import type { Bus, ConsumeOptions, Delivery, Subscription } from './port.js';
import { preparePublish } from './publish-input.js';
import { assertValidTopic } from './topic.js';

export interface MemoryBusOptions extends MemoryBrokerOptions {
  /**
   * A broker shared with other memory bus instances, as processes share a JetStream stream
   * (tests use it to model a second process). The bus neither configures nor closes a broker
   * it was given, so the broker options above are ignored when this is set.
   */
  broker?: MemoryBroker;
}

/** The in-process bus for the embedded single-process runtime; same semantics as JetStream. */
export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const ownsBroker = options.broker === undefined;
  const broker = options.broker ?? createMemoryBroker(options);
  const members = new Set<MemoryMember>();
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error('memory bus is closed');
  };

  return {
    kind: 'memory',
    async ping() {
      assertOpen();
    },

    async publish(input) {
      assertOpen();
      return broker.publish(preparePublish(input));
    },

    async consume<T>(options: ConsumeOptions<T>) {
      assertOpen();
      const settings = consumeSettings(options as ConsumeOptions<unknown>);
      const member = new MemoryMember(
        broker.group(options.topic, options.group),
        createDeliveryWorker(options.handler, settings.maxInFlight),
        settings.ackWaitMs,
        () => members.delete(member),
      );
      members.add(member);
      member.start();
      return member;
    },

    async broadcast(options) {
      assertOpen();
      assertValidTopic(options.topic);
      let open = true;
      const unlisten = broker.listen(options.topic, (payload) => {
        if (open && !closed) void Promise.resolve(options.handler(decodePayload(payload) as never)).catch(() => {});
      });
      return {
        async close() {
          open = false;
          unlisten();
        },
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      // Like a dropped connection: nothing more is settled, held deliveries time out and
      // go to members on other bus instances. Close subscriptions first to drain gracefully.
      for (const member of members) member.abandon();
      members.clear();
      if (ownsBroker) broker.close();
    },
  };
}

/** One subscription: a member of its consumer group. */
class MemoryMember implements GroupMember, Subscription {
  readonly ackWaitMs: number;
  readonly #group: ConsumerGroup;
  readonly #worker: DeliveryWorker;
  readonly #onDetached: () => void;
  /** `closing`: takes nothing new but still settles; `gone`: settles nothing (abandoned or closed). */
  #state: 'open' | 'closing' | 'gone' = 'open';
  #closed: Promise<void> | undefined;

  constructor(group: ConsumerGroup, worker: DeliveryWorker, ackWaitMs: number, onDetached: () => void) {
    this.#group = group;
    this.#worker = worker;
    this.ackWaitMs = ackWaitMs;
    this.#onDetached = onDetached;
  }

  get canAccept(): boolean {
    return this.#state === 'open' && !this.#worker.full;
  }

  start(): void {
    this.#group.join(this);
  }

  accept(delivery: Delivery, receipt: DeliveryReceipt): void {
    const whileAttached: DeliveryReceipt = {
      ack: () => {
        if (this.#state !== 'gone') receipt.ack();
      },
      nak: (delayMs) => {
        if (this.#state !== 'gone') receipt.nak(delayMs);
      },
    };
    // A freed slot is room for the next delivery.
    void this.#worker.accept(delivery, whileAttached).then(() => this.#group.pump());
  }

  close(): Promise<void> {
    this.#closed ??= this.#drain();
    return this.#closed;
  }

  /** For a bus that is closing: stop at once and hand back what has not started, wait for nothing. */
  abandon(): void {
    this.#group.leave(this);
    // Hands queued deliveries back (synchronously, while naks still count), as the
    // JetStream adapter does before draining its connection.
    void this.#worker.close();
    // Handlers already running are cut off: their acks are lost and the group redelivers
    // after ack wait, as for a process that died.
    this.#state = 'gone';
    this.#onDetached();
  }

  async #drain(): Promise<void> {
    if (this.#state === 'open') this.#state = 'closing';
    this.#group.leave(this);
    await this.#worker.close();
    this.#state = 'gone';
    this.#onDetached();
  }
}
