import type { ConsumerGroup } from './memory-consumer-group.js';
import { TopicLog } from './memory-topic-log.js';
import type { PublishResult, Topic } from './port.js';
import type { PreparedPublish } from './publish-input.js';

export interface MemoryBrokerOptions {
  /** Window in which a repeated publish id is dropped as a duplicate. Default 2 minutes, as the JetStream stream. */
  duplicateWindowMs?: number;
}

/**
 * The in-process stand-in for the NATS server: topic logs, consumer groups and the dedup
 * window. Several memory bus instances may share one broker, the way several processes
 * share one JetStream stream.
 */
export interface MemoryBroker {
  /** @internal Used by memory bus instances; publish through a bus. */
  publish(message: PreparedPublish): PublishResult;
  /** @internal Used by memory bus instances; consume through a bus. */
  group(topic: Topic, name: string): ConsumerGroup;
  /** @internal Used by memory bus instances: calls `listener` with each payload published from now on. */
  listen(topic: Topic, listener: (payload: string) => void): () => void;
  /** Cancels every timer; the broker must not be used afterwards. */
  close(): void;
}

const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60_000;

export function createMemoryBroker(options: MemoryBrokerOptions = {}): MemoryBroker {
  const duplicateWindowMs = options.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
  const topics = new Map<Topic, TopicLog>();
  const listeners = new Map<Topic, Set<(payload: string) => void>>();
  // Insertion order is expiry order because the window is fixed, so expired ids sit at the front.
  const recentIds = new Map<string, number>();
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error('memory broker is closed');
  };

  const topicLog = (topic: Topic): TopicLog => {
    let log = topics.get(topic);
    if (!log) {
      log = new TopicLog(topic);
      topics.set(topic, log);
    }
    return log;
  };

  const forgetExpiredIds = (now: number): void => {
    for (const [id, expiresAt] of recentIds) {
      if (expiresAt > now) return;
      recentIds.delete(id);
    }
  };

  return {
    publish({ topic, id, key, payload, headers }) {
      assertOpen();
      const now = Date.now();
      forgetExpiredIds(now);
      // Dedup spans all topics, as it does within the single JetStream stream.
      if (recentIds.has(id)) return { duplicate: true };
      recentIds.set(id, now + duplicateWindowMs);
      topicLog(topic).append({ id, key, payload, headers });
      // Like a core NATS subscription: after the publish returns, never inside it.
      for (const listener of listeners.get(topic) ?? []) queueMicrotask(() => listener(payload));
      return { duplicate: false };
    },

    group(topic, name) {
      assertOpen();
      return topicLog(topic).group(name);
    },

    listen(topic, listener) {
      assertOpen();
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
      }
      set.add(listener);
      return () => set.delete(listener);
    },

    close() {
      closed = true;
      listeners.clear();
      for (const log of topics.values()) log.close();
      topics.clear();
      recentIds.clear();
    },
  };
}
