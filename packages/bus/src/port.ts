/**
 * The bus port: at-least-once, per-topic work queues with consumer groups.
 * Two adapters implement it — JetStream (production) and in-process memory (embedded) —
 * and one contract suite (test/bus-contract.ts) runs against both.
 */

/** Topics are fixed names; each adapter maps them onto its own subjects. */
export type Topic = 'message.accepted' | 'message.status' | 'message.inbound' | (string & {});

export interface PublishInput {
  topic: Topic;
  /** Deduplication id (JetStream `Nats-Msg-Id`): a second publish with the same id inside the window is dropped. */
  id: string;
  /** Ordering key: deliveries with the same key reach a group's handler one at a time, in publish order. */
  key: string;
  /** JSON-serialisable payload. */
  data: unknown;
  /** String headers, e.g. W3C `traceparent`. */
  headers?: Record<string, string>;
}

export interface PublishResult {
  /** True when the bus dropped this publish as a duplicate of an earlier one with the same id. */
  duplicate: boolean;
}

export interface Delivery<T = unknown> {
  topic: Topic;
  id: string;
  key: string;
  data: T;
  headers: Record<string, string>;
  /** 1 on first delivery, 2+ on redelivery. */
  deliveryCount: number;
}

/**
 * A handler that resolves acknowledges the delivery; one that throws makes it redeliver
 * (after a backoff). Handlers must be idempotent by `delivery.id`.
 */
export type DeliveryHandler<T = unknown> = (delivery: Delivery<T>) => Promise<void>;

export interface ConsumeOptions<T = unknown> {
  topic: Topic;
  /** Consumer group (durable name): each delivery goes to one member of the group. */
  group: string;
  handler: DeliveryHandler<T>;
  /** How long a delivery may stay unacknowledged before it is redelivered. Default 30 s. */
  ackWaitMs?: number;
  /** Deliveries in flight at once for this member. Default 64. */
  maxInFlight?: number;
}

export interface BroadcastOptions<T = unknown> {
  topic: Topic;
  /** Called with each event's data; errors are the handler's own (nothing is redelivered). */
  handler: (data: T) => void | Promise<void>;
}

export interface Subscription {
  /** Stop taking new deliveries, wait for handlers in flight, then detach. */
  close(): Promise<void>;
}

export interface Bus {
  readonly kind: 'jetstream' | 'memory';
  publish(input: PublishInput): Promise<PublishResult>;
  consume<T = unknown>(options: ConsumeOptions<T>): Promise<Subscription>;
  /**
   * Fan-out for caches: every broadcast subscriber of every bus instance receives each event
   * published on the topic after it subscribed — no group, no ack, nothing kept for it, and a
   * re-published event may arrive again. Work that must not be lost uses `consume`.
   */
  broadcast<T = unknown>(options: BroadcastOptions<T>): Promise<Subscription>;
  /**
   * Resolves when the bus answers (JetStream: the stream's info round-trips to the server);
   * throws otherwise. Readiness probes call it.
   */
  ping(): Promise<void>;
  /**
   * Disconnects like a process that stops: deliveries not yet started are handed back, but
   * handlers still running are not waited for and their deliveries come back after ack wait.
   * Close subscriptions first to drain gracefully.
   */
  close(): Promise<void>;
}
