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
 * How the stream is replicated, placed and bounded: from the deployment's configuration
 * (NATS_STREAM_* variables, docs/operations.md). Unset fields keep the defaults on creation
 * and leave an existing stream's value alone.
 */
export interface StreamSettings {
  /** Copies of every message on distinct servers (1, 3 or 5; at most the cluster's size). Default 1. */
  replicas?: number;
  /** Messages older than this are dropped. Default a week. */
  maxAgeMs?: number;
  /** The stream's size bound in bytes; the oldest messages go first. Default unlimited. */
  maxBytes?: number;
  /** Which servers hold the stream: a cluster's name and/or server tags. Applied on creation. */
  placement?: { cluster?: string; tags?: string[] };
}

/**
 * Creates the bus stream, or aligns an existing one with what the bus relies on (its subjects
 * and the dedup window) and with the settings configured explicitly, leaving other settings an
 * operator may have tuned alone. Retention stays "limits", so a consumer group created later
 * still finds earlier messages. Raising the replica count of an existing stream works on
 * NATS 2.9 (the servers copy the stream; tested); placement is only set on creation, since
 * changing it moves a live stream between servers, which is an operator's decision.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  stream: { name: string; subjectPrefix: string; settings?: StreamSettings },
): Promise<void> {
  const subjects = [`${stream.subjectPrefix}.>`];
  const duplicate_window = nanos(DUPLICATE_WINDOW_MS);
  const settings = stream.settings ?? {};
  const configured = {
    ...(settings.replicas === undefined ? {} : { num_replicas: settings.replicas }),
    ...(settings.maxAgeMs === undefined ? {} : { max_age: nanos(settings.maxAgeMs) }),
    ...(settings.maxBytes === undefined ? {} : { max_bytes: settings.maxBytes }),
  };
  // A stream already as needed is left alone: services run as NATS users that may look at and
  // create their stream but not change it (deploy/nats/nats-server.conf); only an explicitly
  // configured change (replicas, limits) is applied, by a user allowed to.
  const existing = await jsm.streams.info(stream.name).catch((err: unknown) => {
    if (err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND) return undefined;
    throw err;
  });
  if (
    existing &&
    existing.config.subjects?.length === 1 &&
    existing.config.subjects[0] === subjects[0] &&
    existing.config.duplicate_window === duplicate_window &&
    Object.entries(configured).every(([key, value]) => existing.config[key as keyof typeof configured] === value)
  ) {
    return;
  }
  try {
    await jsm.streams.add({
      name: stream.name,
      subjects,
      duplicate_window,
      max_age: nanos(MAX_AGE_MS),
      num_replicas: 1,
      ...configured,
      ...(settings.placement
        ? { placement: { cluster: settings.placement.cluster ?? '', tags: settings.placement.tags ?? [] } }
        : {}),
    });
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === STREAM_NAME_IN_USE)) throw err;
    await jsm.streams.update(stream.name, { subjects, duplicate_window, ...configured });
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
