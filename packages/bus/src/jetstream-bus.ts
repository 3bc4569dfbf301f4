import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type MsgHdrs, headers as natsHeaders } from '@nats-io/transport-node';
import { consumeSettings } from './consume-settings.js';
import { createDeliveryWorker } from './delivery-worker.js';
import { assertValidStreamConfig, durableNameFor, KEY_HEADER, subjectFor } from './jetstream-naming.js';
import { ensureDurableConsumer, ensureStream, type StreamSettings } from './jetstream-provisioning.js';
import type { NatsConnectionSettings } from './nats-connection.js';
import { JetStreamSubscription } from './jetstream-subscription.js';
import type { Bus, ConsumeOptions } from './port.js';
import { decodePayload } from './payload-codec.js';
import { type PreparedPublish, preparePublish } from './publish-input.js';
import { assertValidTopic } from './topic.js';
import { observeGauges } from '@wagate/telemetry';

export interface JetStreamBusOptions {
  /** One or more `nats://host:port` URLs of the same cluster. */
  servers: string | string[];
  /** Default `WAGATE`. */
  streamName?: string;
  /** Subjects are `<prefix>.<topic>`; the stream captures `<prefix>.>`. Default `wagate`. */
  subjectPrefix?: string;
  /** Credentials, TLS and inbox prefix (natsConnectionSettings); none for an open server. */
  connection?: NatsConnectionSettings;
  /** Replicas, limits and placement of the stream (default: one replica, a week). */
  stream?: StreamSettings;
}

/** The production bus: one JetStream stream, one durable pull consumer per group and topic. */
export async function createJetStreamBus(options: JetStreamBusOptions): Promise<Bus> {
  const streamName = options.streamName ?? 'WAGATE';
  const subjectPrefix = options.subjectPrefix ?? 'wagate';
  assertValidStreamConfig(streamName, subjectPrefix);

  const nc = await connect({
    ...options.connection,
    servers: options.servers,
    name: `wagate-bus:${streamName}`,
    // Without this, nats.js builds two Error objects (stack traces included) up front for every
    // publish, in case its ack times out: a profile of the accept path put 8 % of the gateway's
    // CPU there. A failed publish still rejects with an error; only the caller's async stack is
    // missing from it, and the outbox logs which event failed anyway.
    noAsyncTraces: true,
  });
  let jsm: Awaited<ReturnType<typeof jetstreamManager>>;
  try {
    jsm = await jetstreamManager(nc);
    await ensureStream(jsm, { name: streamName, subjectPrefix, settings: options.stream });
  } catch (err) {
    await nc.close();
    throw err;
  }
  const js = jetstream(nc);
  const subscriptions = new Set<JetStreamSubscription>();
  let closed = false;
  // Consumer lag at scrape time, for the durable consumers this process reads from: messages
  // not yet delivered to the group, and delivered but not yet acknowledged.
  const consumed = new Set<string>();
  const stopObserving = observeGauges(
    'bus',
    {
      'wagate.bus.consumer_pending': {
        description: 'Messages of a consumer group not yet delivered (its lag)',
      },
      'wagate.bus.consumer_ack_pending': {
        description: 'Messages delivered to a consumer group and not yet acknowledged',
      },
    },
    async (record) => {
      for (const durableName of consumed) {
        const info = await jsm.consumers.info(streamName, durableName);
        record('wagate.bus.consumer_pending', info.num_pending, { consumer: durableName });
        record('wagate.bus.consumer_ack_pending', info.num_ack_pending, { consumer: durableName });
      }
    },
    // A consumer deleted meanwhile (or NATS down) leaves the gauges unset for this scrape;
    // readiness and the outbox lag already say the bus is unwell.
    () => {},
  );

  const assertOpen = (): void => {
    if (closed) throw new Error('JetStream bus is closed');
  };

  return {
    kind: 'jetstream',

    async ping() {
      assertOpen();
      await jsm.streams.info(streamName);
    },

    async publish(input) {
      assertOpen();
      const message = preparePublish(input);
      const ack = await js.publish(subjectFor(subjectPrefix, message.topic), message.payload, {
        msgID: message.id,
        headers: headersOf(message),
      });
      return { duplicate: ack.duplicate };
    },

    async consume<T>(options: ConsumeOptions<T>) {
      assertOpen();
      const settings = consumeSettings(options as ConsumeOptions<unknown>);
      const durableName = durableNameFor(options.group, options.topic);
      await ensureDurableConsumer(jsm, streamName, {
        durableName,
        filterSubject: subjectFor(subjectPrefix, options.topic),
        ackWaitMs: settings.ackWaitMs,
      });
      const subscription: JetStreamSubscription = new JetStreamSubscription({
        consumer: await js.consumers.get(streamName, durableName),
        topic: options.topic,
        worker: createDeliveryWorker(options.handler, settings.maxInFlight),
        maxInFlight: settings.maxInFlight,
        onDetached: () => subscriptions.delete(subscription),
      });
      await subscription.start();
      subscriptions.add(subscription);
      consumed.add(durableName);
      return subscription;
    },

    async broadcast(options) {
      assertOpen();
      assertValidTopic(options.topic);
      // A plain NATS subscription: the stream captures the subject, and core subscribers still
      // receive every publish to it (a deduplicated re-publish included).
      const subscription = nc.subscribe(subjectFor(subjectPrefix, options.topic), {
        callback: (error, msg) => {
          if (error) return;
          let data: unknown;
          try {
            data = decodePayload(msg.string());
          } catch {
            return;
          }
          void Promise.resolve(options.handler(data as never)).catch(() => {});
        },
      });
      // The server has the interest once this round trip returns, so nothing published after is missed.
      await nc.flush();
      return {
        async close() {
          subscription.unsubscribe();
        },
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      stopObserving();
      // Handlers still running cannot ack once the connection is drained; the server
      // redelivers their messages after ack wait. Close subscriptions first to drain gracefully.
      await Promise.all([...subscriptions].map((subscription) => subscription.abandon()));
      if (!nc.isClosed() && !nc.isDraining()) await nc.drain();
    },
  };
}

function headersOf(message: PreparedPublish): MsgHdrs {
  const headers = natsHeaders();
  for (const [name, value] of Object.entries(message.headers)) headers.set(name, value);
  headers.set(KEY_HEADER, message.key);
  return headers;
}
