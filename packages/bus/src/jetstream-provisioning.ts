import { AckPolicy, DeliverPolicy, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

const DUPLICATE_WINDOW_MS = 2 * 60_000;
/**
 * How long events stay in the stream. The database is the source of truth and every
 * consumer acks within seconds, so a week is ample for a group created later or a consumer
 * down over a weekend, and it keeps the stream from growing without bound.
 */
const MAX_AGE_MS = 7 * 24 * 3_600_000;
/** "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;
/** "stream not found". */
const STREAM_NOT_FOUND = 10059;

/**
 * Creates the bus stream, or aligns an existing one with what the bus relies on (its subjects
 * and the dedup window), leaving other settings an operator may have tuned alone (such as the
 * maximum age it starts with). Retention stays "limits", so a consumer group created later
 * still finds earlier messages.
 * Only server 2.9 features are used.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  stream: { name: string; subjectPrefix: string },
): Promise<void> {
  const subjects = [`${stream.subjectPrefix}.>`];
  const duplicate_window = nanos(DUPLICATE_WINDOW_MS);
  // A stream already as needed is left alone: services run as NATS users that may look at and
  // create their stream but not change it (deploy/nats/nats-server.conf).
  const existing = await jsm.streams.info(stream.name).catch((err: unknown) => {
    if (err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND) return undefined;
    throw err;
  });
  if (
    existing &&
    existing.config.subjects?.length === 1 &&
    existing.config.subjects[0] === subjects[0] &&
    existing.config.duplicate_window === duplicate_window
  ) {
    return;
  }
  try {
    await jsm.streams.add({ name: stream.name, subjects, duplicate_window, max_age: nanos(MAX_AGE_MS) });
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) throw err;
    await jsm.streams.update(stream.name, { subjects, duplicate_window });
  }
}

/**
 * Creates the durable pull consumer for a group, or updates its ack wait. Server 2.9 treats
 * a create of an existing durable with a compatible config as an update; newer servers
 * refuse it, hence the explicit update as fallback.
 */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  streamName: string,
  consumer: { durableName: string; filterSubject: string; ackWaitMs: number },
): Promise<void> {
  const ack_wait = nanos(consumer.ackWaitMs);
  try {
    await jsm.consumers.add(streamName, {
      durable_name: consumer.durableName,
      ack_policy: AckPolicy.Explicit,
      ack_wait,
      filter_subject: consumer.filterSubject,
      deliver_policy: DeliverPolicy.All,
    });
  } catch (createError) {
    try {
      await jsm.consumers.update(streamName, consumer.durableName, {
        ack_wait,
        filter_subject: consumer.filterSubject,
      });
    } catch {
      // The create error says why (e.g. missing stream); the update one would only echo it.
      throw createError;
    }
  }
}
