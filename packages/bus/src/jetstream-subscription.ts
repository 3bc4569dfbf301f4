import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { DeliveryReceipt, DeliveryWorker } from './delivery-worker.js';
import { KEY_HEADER, MSG_ID_HEADER } from './jetstream-naming.js';
import { decodePayload } from './payload-codec.js';
import type { Delivery, Subscription, Topic } from './port.js';

const RESTART_PAUSE_MS = 1_000;

/**
 * One group member pulling from a durable consumer. Messages are taken from the pull
 * iterator only while the worker has room, and nats.js issues the next pull only once the
 * previous batch was iterated, so the member holds about `maxInFlight` messages at a time.
 */
export class JetStreamSubscription implements Subscription {
  readonly #consumer: Consumer;
  readonly #topic: Topic;
  readonly #worker: DeliveryWorker;
  readonly #maxInFlight: number;
  readonly #onDetached: () => void;
  #messages: ConsumerMessages | undefined;
  #loop: Promise<void> = Promise.resolve();
  #stopping = false;
  #handBackAllowed: Promise<void> = Promise.resolve();
  #pullingStopped: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: {
    consumer: Consumer;
    topic: Topic;
    worker: DeliveryWorker;
    maxInFlight: number;
    onDetached: () => void;
  }) {
    this.#consumer = options.consumer;
    this.#topic = options.topic;
    this.#worker = options.worker;
    this.#maxInFlight = options.maxInFlight;
    this.#onDetached = options.onDetached;
  }

  async start(): Promise<void> {
    this.#messages = await this.#pull();
    this.#loop = this.#run();
  }

  close(): Promise<void> {
    this.#closed ??= this.#drain();
    return this.#closed;
  }

  /**
   * For a bus that is closing: stop pulling and hand back what has not started, without
   * waiting for running handlers (their acks are lost; the server redelivers after ack wait).
   */
  async abandon(): Promise<void> {
    this.#onDetached();
    // The iterator may be stuck behind hung handlers, so its end is not awaited here.
    void this.#stopPulling();
    await this.#handBackAllowed;
    void this.#worker.close();
  }

  #pull(): Promise<ConsumerMessages> {
    return this.#consumer.consume({ max_messages: this.#maxInFlight });
  }

  async #drain(): Promise<void> {
    // Not awaited yet: the iterator only finishes once the loop has walked past its buffer.
    const stopped = this.#stopPulling();
    await this.#handBackAllowed;
    await this.#worker.close();
    await this.#loop;
    await stopped;
    this.#onDetached();
  }

  /**
   * Closes the pull iterator, then lets deliveries be handed back (nak) only once the server
   * has forgotten our pull requests. nats-server 2.9 mishandles a nak'ed message whose only
   * waiting pull request belongs to a subscriber that is gone: it delivers another message a
   * second time (deliveryCount going back to 1) and strands the nak'ed one until ack wait
   * (fixed in 2.10, nats-server#5305 / #5338). A consumer-info request prunes requests
   * without interest, and our unsubscribe reaches the server before it on this connection.
   */
  #stopPulling(): Promise<void> {
    if (this.#pullingStopped) return this.#pullingStopped;
    this.#stopping = true;
    const stopped = this.#messages?.close() ?? Promise.resolve();
    this.#handBackAllowed = this.#consumer.info().then(
      () => {},
      () => {}, // e.g. connection gone: hand back anyway, at worst the server waits out ack wait
    );
    this.#pullingStopped = stopped.then(() => {});
    return this.#pullingStopped;
  }

  async #run(): Promise<void> {
    while (this.#messages && !this.#stopping) {
      try {
        await this.#take(this.#messages);
        return; // the iterator ended because we closed it or the connection closed
      } catch {
        // The iterator failed for good (e.g. a 409 from the server); JetStream keeps the
        // unacked messages, so pull again after a pause rather than going silently deaf.
      }
      await new Promise((resolve) => setTimeout(resolve, RESTART_PAUSE_MS).unref());
      if (this.#stopping) return;
      try {
        this.#messages = await this.#pull();
      } catch {
        return; // connection closed: there is nothing left to pull from
      }
      if (this.#stopping) void this.#messages.close();
    }
  }

  async #take(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      const receipt = receiptFor(msg);
      if (this.#stopping) {
        // Buffered before close: hand back now rather than after the ack wait.
        await this.#handBackAllowed;
        receipt.nak(0);
        continue;
      }
      const delivery = toDelivery(this.#topic, msg);
      if (!delivery) {
        // Not JSON, so no handler could ever take it: stop redelivering it.
        settleQuietly(() => msg.term());
        continue;
      }
      void this.#worker.accept(delivery, receipt);
      if (this.#worker.full) await this.#worker.whenNotFull();
    }
  }
}

function receiptFor(msg: JsMsg): DeliveryReceipt {
  return {
    ack: () => settleQuietly(() => msg.ack()),
    nak: (delayMs) => settleQuietly(() => msg.nak(delayMs)),
  };
}

/** With the connection gone an ack cannot be sent; the server redelivers after ack wait instead. */
function settleQuietly(settle: () => void): void {
  try {
    settle();
  } catch {
    // see above
  }
}

function toDelivery(topic: Topic, msg: JsMsg): Delivery | undefined {
  let data: unknown;
  try {
    data = decodePayload(msg.string());
  } catch {
    return undefined;
  }
  const headers: Record<string, string> = {};
  let id = `${msg.info.stream}:${msg.seq}`;
  let key = '';
  for (const name of msg.headers?.keys() ?? []) {
    const value = msg.headers!.get(name);
    if (name === MSG_ID_HEADER) id = value;
    else if (name === KEY_HEADER) key = value;
    else headers[name] = value;
  }
  return { topic, id, key, data, headers, deliveryCount: msg.info.deliveryCount };
}
