import { openBus, type Bus } from '@wagate/bus';
import { env, readConfig } from '@wagate/config';
import { type Database, openDatabase } from '@wagate/db';
import { closeGrpcChannels, type ServiceMount, startGrpcServer } from '@wagate/rpc';
import { createLogger, initTelemetry } from '@wagate/telemetry';
import { z } from 'zod';
import { dependencyChecks, peerChecks, startProcessAdminServer } from './admin-server.js';
import { observeDatabasePool } from './database-metrics.js';

export interface Infrastructure {
  database: Database;
  bus: Bus;
  /** The process environment, for service-specific settings. */
  env: Record<string, string | undefined>;
}

export interface StartedService {
  grpc: ServiceMount[];
  /** gRPC peers the service cannot work without, by name: /readyz checks them. */
  peers?: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Runs one service as its own process: reads `DATABASE_URL`, `NATS_URL` and `GRPC_PORT`,
 * migrates and starts the service, serves its gRPC API, and shuts down cleanly on SIGINT or
 * SIGTERM (no process.exit: the loop drains so telemetry flushes).
 */
export async function runServiceProcess(options: {
  name: string;
  defaultGrpcPort: number;
  start(infrastructure: Infrastructure): Promise<StartedService>;
}): Promise<void> {
  const config = readConfig({
    DATABASE_URL: z.string().min(1, 'DATABASE_URL is required (postgres://... or pglite://...)'),
    NATS_URL: z.string().min(1, 'NATS_URL is required (nats://host:port or memory://)'),
    NATS_STREAM: z.string().default('WAGATE'),
    NATS_SUBJECT_PREFIX: z.string().default('wagate'),
    GRPC_HOST: z.string().default('0.0.0.0'),
    GRPC_PORT: env.port(options.defaultGrpcPort),
  });
  const telemetry = initTelemetry({ serviceName: options.name });
  const log = createLogger(options.name);
  const database = await openDatabase(config.DATABASE_URL);
  const bus = await openBus(config.NATS_URL, {
    streamName: config.NATS_STREAM,
    subjectPrefix: config.NATS_SUBJECT_PREFIX,
  });
  observeDatabasePool(database);
  const admin = await startProcessAdminServer(options.name, telemetry, dependencyChecks(database, bus));
  const service = await options.start({ database, bus, env: process.env });
  const server = await startGrpcServer({ host: config.GRPC_HOST, port: config.GRPC_PORT, services: service.grpc });
  admin.addChecks(peerChecks(service.peers));
  admin.markReady();
  log.info({ address: server.address, admin: admin.url }, `${options.name} listening`);
  onShutdownSignal(log, async () => {
    admin.markDraining();
    await server.shutdown();
    await service.stop();
    closeGrpcChannels();
    await bus.close();
    await database.close();
    await telemetry.shutdown();
    await admin.close();
  });
}

/** Calls `shutdown` once on the first SIGINT/SIGTERM; a second signal is left to its default. */
export function onShutdownSignal(log: { info(message: string): void }, shutdown: () => Promise<void>): void {
  const handler = (signal: string) => {
    log.info(`${signal} received, shutting down`);
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    void shutdown();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
