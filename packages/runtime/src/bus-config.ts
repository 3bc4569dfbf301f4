import { type Bus, natsConnectionFromEnv, openBus } from '@wagate/bus';
import { readConfig } from '@wagate/config';
import { z } from 'zod';

const optionalPositiveInt = z.coerce.number().int().min(1).optional();

/**
 * The bus settings every process reads (the api and each service alike): where NATS is, the
 * stream's name and subject prefix, and how the stream is replicated, bounded and placed.
 * `NATS_STREAM_REPLICAS` defaults to 1 so a single NATS server keeps working; a three-node
 * cluster takes 3 (docs/operations.md).
 */
export function readBusConfig(env: Record<string, string | undefined> = process.env) {
  return readConfig(
    {
      NATS_URL: z.string().min(1, 'NATS_URL is required (nats://host:port[,nats://host:port...] or memory://)'),
      NATS_STREAM: z.string().default('WAGATE'),
      NATS_SUBJECT_PREFIX: z.string().default('wagate'),
      NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).optional(),
      NATS_STREAM_MAX_AGE_MS: optionalPositiveInt,
      NATS_STREAM_MAX_BYTES: optionalPositiveInt,
      NATS_STREAM_PLACEMENT_CLUSTER: z.string().min(1).optional(),
      // Comma-separated server tags, e.g. "az:a,ssd".
      NATS_STREAM_PLACEMENT_TAGS: z.string().min(1).optional(),
    },
    env,
  );
}

export type BusConfig = ReturnType<typeof readBusConfig>;

/** Opens the bus `readBusConfig` describes, with the NATS credentials and TLS of `env` (natsConnectionFromEnv). */
export function openConfiguredBus(config: BusConfig, env: Record<string, string | undefined> = process.env): Promise<Bus> {
  const tags = config.NATS_STREAM_PLACEMENT_TAGS?.split(',').map((tag) => tag.trim()).filter(Boolean);
  const placement = {
    ...(config.NATS_STREAM_PLACEMENT_CLUSTER ? { cluster: config.NATS_STREAM_PLACEMENT_CLUSTER } : {}),
    ...(tags && tags.length > 0 ? { tags } : {}),
  };
  return openBus(config.NATS_URL, {
    streamName: config.NATS_STREAM,
    subjectPrefix: config.NATS_SUBJECT_PREFIX,
    connection: natsConnectionFromEnv(env),
    stream: {
      ...(config.NATS_STREAM_REPLICAS === undefined ? {} : { replicas: config.NATS_STREAM_REPLICAS }),
      ...(config.NATS_STREAM_MAX_AGE_MS === undefined ? {} : { maxAgeMs: config.NATS_STREAM_MAX_AGE_MS }),
      ...(config.NATS_STREAM_MAX_BYTES === undefined ? {} : { maxBytes: config.NATS_STREAM_MAX_BYTES }),
      ...(Object.keys(placement).length > 0 ? { placement } : {}),
    },
  });
}
