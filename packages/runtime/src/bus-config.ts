import { type Bus, natsConnectionSettings, natsConnectionVariables, openBus } from '@wagate/bus';
import { type ConfigOf, env } from '@wagate/config';

/**
 * The bus settings every process reads (the api and each service alike): where NATS is, the
 * stream's name and subject prefix, how the stream is replicated, bounded and placed, and the
 * connection's credentials and TLS. `NATS_STREAM_REPLICAS` unset keeps 1, so a single NATS
 * server keeps working; a three-node cluster takes 3 (docs/operations.md).
 */
export const busVariables = {
  NATS_URL: env.string({
    minLength: 1,
    accepts: 'nats://host:port[,nats://host:port…], or memory:// (in-process, one process only)',
    description: 'Where NATS JetStream is.',
  }),
  NATS_STREAM: env.string({ default: 'WAGATE', description: "The JetStream stream wagate's events go to." }),
  NATS_SUBJECT_PREFIX: env.string({
    default: 'wagate',
    description: "The first token of every event's subject.",
  }),
  NATS_STREAM_REPLICAS: env.int({
    optional: true,
    min: 1,
    max: 5,
    description:
      'How many NATS servers keep a copy of the stream: 1 for a single server, 3 on a three-node cluster; set, it is applied to an existing stream too; unset: 1.',
  }),
  NATS_STREAM_MAX_AGE_MS: env.int({
    optional: true,
    min: 1,
    unit: 'milliseconds',
    description: 'Events older than this are dropped from the stream; unset: a week.',
  }),
  NATS_STREAM_MAX_BYTES: env.int({
    optional: true,
    min: 1,
    unit: 'bytes',
    description: "The stream's size bound; unset: unbounded.",
  }),
  NATS_STREAM_PLACEMENT_CLUSTER: env.string({
    optional: true,
    minLength: 1,
    description: 'The NATS cluster the stream is placed in when it is created.',
  }),
  NATS_STREAM_PLACEMENT_TAGS: env.string({
    optional: true,
    minLength: 1,
    accepts: 'comma-separated server tags, e.g. az:a,ssd',
    description: 'Server tags the stream is placed on when it is created.',
  }),
  ...natsConnectionVariables,
};

export type BusConfig = ConfigOf<typeof busVariables>;

/** Opens the bus `config` describes, with its NATS credentials and TLS. */
export function openConfiguredBus(config: BusConfig): Promise<Bus> {
  const tags = config.NATS_STREAM_PLACEMENT_TAGS?.split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  const placement = {
    ...(config.NATS_STREAM_PLACEMENT_CLUSTER ? { cluster: config.NATS_STREAM_PLACEMENT_CLUSTER } : {}),
    ...(tags && tags.length > 0 ? { tags } : {}),
  };
  return openBus(config.NATS_URL, {
    streamName: config.NATS_STREAM,
    subjectPrefix: config.NATS_SUBJECT_PREFIX,
    connection: natsConnectionSettings(config),
    stream: {
      ...(config.NATS_STREAM_REPLICAS === undefined ? {} : { replicas: config.NATS_STREAM_REPLICAS }),
      ...(config.NATS_STREAM_MAX_AGE_MS === undefined ? {} : { maxAgeMs: config.NATS_STREAM_MAX_AGE_MS }),
      ...(config.NATS_STREAM_MAX_BYTES === undefined ? {} : { maxBytes: config.NATS_STREAM_MAX_BYTES }),
      ...(Object.keys(placement).length > 0 ? { placement } : {}),
    },
  });
}
