import type { Bus } from '@wagate/bus';
import { env, readConfig } from '@wagate/config';
import { type Database, openDatabase } from '@wagate/db';
import {
  closeGrpcChannels,
  INSECURE_SETTING,
  type InternalPlaneSecurity,
  readAgentPlaneServerSecurity,
  readInternalPlaneSecurity,
  type ServiceIdentity,
  type ServiceMount,
  startGrpcServer,
} from '@wagate/rpc';
import { createLogger, initTelemetry } from '@wagate/telemetry';
import { openConfiguredBus, readBusConfig } from './bus-config.js';
import { z } from 'zod';
import { dependencyChecks, peerChecks, startProcessAdminServer } from './admin-server.js';
import { observeDatabasePool } from './database-metrics.js';

export interface Infrastructure {
  database: Database;
  bus: Bus;
  /** The process environment, for service-specific settings. */
  env: Record<string, string | undefined>;
  /** This process's internal-plane security, for its clients of other services. */
  internalPlane: InternalPlaneSecurity;
}

export interface StartedService {
  /** Internal-plane services (mutual TLS, per-method allow-lists). */
  grpc: ServiceMount[];
  /** Agent-plane services (fleet only): served on their own listener, TLS. */
  agentGrpc?: ServiceMount[];
  /** gRPC peers the service cannot work without, by identity: /readyz checks them. */
  peers?: Partial<Record<ServiceIdentity, string>>;
  stop(): Promise<void>;
}

const databaseUrl = z.string().min(1, 'DATABASE_URL is required (postgres://... or pglite://...)');

/** Without TLS a listener may only bind loopback: the default host follows the security mode. */
function listenHost(configured: string | undefined, insecure: boolean): string {
  return configured ?? (insecure ? '127.0.0.1' : '0.0.0.0');
}

/**
 * Runs one service as its own process: reads `DATABASE_URL`, the bus settings, `GRPC_PORT` and the
 * internal plane's TLS material (docs/security.md), migrates and starts the service, serves its
 * internal gRPC API (and fleet's agent plane on `AGENT_GRPC_PORT`), and shuts down cleanly on
 * SIGINT or SIGTERM (no process.exit: the loop drains so telemetry flushes).
 */
export async function runServiceProcess(options: {
  name: ServiceIdentity;
  defaultGrpcPort: number;
  /** Fleet: the agent plane's port. */
  defaultAgentGrpcPort?: number;
  /** This service's schema migrations (what `start` runs first), for the migrate-only mode. */
  migrate(database: Database): Promise<void>;
  start(infrastructure: Infrastructure): Promise<StartedService>;
}): Promise<void> {
  if (await migrateOnlyIfAsked(options.name, options.migrate)) return;
  const config = readConfig({
    DATABASE_URL: databaseUrl,
    GRPC_HOST: z.string().min(1).optional(),
    GRPC_PORT: env.port(options.defaultGrpcPort),
    AGENT_GRPC_HOST: z.string().min(1).optional(),
    AGENT_GRPC_PORT: env.port(options.defaultAgentGrpcPort ?? 0),
  });
  const busConfig = readBusConfig();
  // TLS material is checked before anything else starts: a misconfigured process fails at once.
  const internalPlane = readInternalPlaneSecurity(options.name);
  const agentPlane = options.defaultAgentGrpcPort === undefined ? undefined : readAgentPlaneServerSecurity();
  const telemetry = initTelemetry({ serviceName: options.name });
  const log = createLogger(options.name);
  if (internalPlane.mode === 'insecure-loopback') {
    log.warn(`${INSECURE_SETTING} is set: TLS is OFF and every gRPC listener and peer is loopback only`);
  }
  const database = await openDatabase(config.DATABASE_URL);
  const bus = await openConfiguredBus(busConfig);
  observeDatabasePool(database);
  const admin = await startProcessAdminServer(options.name, telemetry, dependencyChecks(database, bus));
  const service = await options.start({ database, bus, env: process.env, internalPlane });
  const servers = [
    await startGrpcServer({
      plane: 'internal',
      host: listenHost(config.GRPC_HOST, internalPlane.mode === 'insecure-loopback'),
      port: config.GRPC_PORT,
      services: service.grpc,
      security: internalPlane,
    }),
  ];
  if (agentPlane && service.agentGrpc) {
    const agentServer = await startGrpcServer({
      plane: 'agent',
      host: listenHost(config.AGENT_GRPC_HOST, agentPlane.mode === 'insecure-loopback'),
      port: config.AGENT_GRPC_PORT,
      services: service.agentGrpc,
      security: agentPlane,
    });
    servers.push(agentServer);
    log.info({ address: agentServer.address, tls: agentPlane.mode !== 'insecure-loopback' }, `${options.name} agent plane listening`);
  }
  admin.addChecks(peerChecks(service.peers ?? {}, internalPlane));
  admin.markReady();
  log.info(
    { address: servers[0]!.address, admin: admin.url, mutualTls: internalPlane.mode !== 'insecure-loopback' },
    `${options.name} listening`,
  );
  onShutdownSignal(log, async () => {
    admin.markDraining();
    await Promise.all(servers.map((server) => server.shutdown()));
    await service.stop();
    closeGrpcChannels();
    await bus.close();
    await database.close();
    await telemetry.shutdown();
    await admin.close();
  });
}

/**
 * With `WAGATE_MIGRATE_ONLY=true` the process migrates its service's schema and returns true
 * (the caller then exits 0): the migration Job run before a rollout (deploy/k8s). It needs
 * only `DATABASE_URL`: no TLS material, no bus, no listener.
 */
export async function migrateOnlyIfAsked(
  name: ServiceIdentity,
  migrate: (database: Database) => Promise<void>,
): Promise<boolean> {
  if (!readConfig({ WAGATE_MIGRATE_ONLY: env.bool(false) }).WAGATE_MIGRATE_ONLY) return false;
  const config = readConfig({
    DATABASE_URL: databaseUrl,
  });
  const database = await openDatabase(config.DATABASE_URL);
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  createLogger(name).info(`${name} schema migrated (WAGATE_MIGRATE_ONLY): exiting`);
  return true;
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
