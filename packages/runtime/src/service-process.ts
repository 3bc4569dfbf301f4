import type { Bus } from '@wagate/bus';
import { type ConfigOf, env, readConfig } from '@wagate/config';
import { type Database, openDatabase } from '@wagate/db';
import {
  agentPlaneServerVariables,
  closeGrpcChannels,
  INSECURE_SETTING,
  type InternalPlaneSecurity,
  internalPlaneVariables,
  readAgentPlaneServerSecurity,
  readInternalPlaneSecurity,
  type ServiceIdentity,
  type ServiceMount,
  startGrpcServer,
} from '@wagate/rpc';
import { createLogger, initTelemetry, telemetryVariables } from '@wagate/telemetry';
import { busVariables, openConfiguredBus } from './bus-config.js';
import { adminVariables, dependencyChecks, peerChecks, startProcessAdminServer } from './admin-server.js';
import { observeDatabasePool } from './database-metrics.js';

export interface Infrastructure<Config> {
  database: Database;
  bus: Bus;
  /** The process's configuration, read once at start from its schema (the service's config.ts). */
  config: Config;
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

/** What a process run with `WAGATE_MIGRATE_ONLY=true` reads: nothing else. */
export const migrateOnlyVariables = {
  WAGATE_MIGRATE_ONLY: env.bool({
    default: false,
    description:
      "Migrate this process's schema, then exit 0, reading nothing but DATABASE_URL: the migration Job run before a rollout (deploy/k8s).",
  }),
  DATABASE_URL: env.string({
    minLength: 1,
    accepts: 'postgres://… or pglite://…',
    description: 'The database; the process keeps its tables in its own schema of it.',
  }),
};

/** The variables every service process reads (`runServiceProcess`), its gRPC port defaulting to `grpcPort`. */
export function serviceVariables(name: ServiceIdentity, grpcPort: number) {
  return {
    ...migrateOnlyVariables,
    GRPC_HOST: env.string({
      optional: true,
      minLength: 1,
      description: `The address the internal gRPC listener binds; default 0.0.0.0 (127.0.0.1 with ${INSECURE_SETTING}).`,
    }),
    GRPC_PORT: env.port({ default: grpcPort, description: "The internal gRPC listener's port." }),
    ...adminVariables(name),
    ...busVariables,
    ...internalPlaneVariables,
    ...telemetryVariables,
  };
}

export type ServiceVariables = ReturnType<typeof serviceVariables>;

/** Fleet's agent plane listener: the device agents connect here, over TLS. */
export const agentListenerVariables = {
  AGENT_GRPC_HOST: env.string({
    optional: true,
    minLength: 1,
    description: `The address the agent-plane listener binds; default 0.0.0.0 (127.0.0.1 with ${INSECURE_SETTING}).`,
  }),
  AGENT_GRPC_PORT: env.port({
    default: 50_055,
    description: "The agent-plane listener's port (device agents' FLEET_AGENT_ADDRESS).",
  }),
  ...agentPlaneServerVariables,
};

/** Without TLS a listener may only bind loopback: the default host follows the security mode. */
function listenHost(configured: string | undefined, insecure: boolean): string {
  return configured ?? (insecure ? '127.0.0.1' : '0.0.0.0');
}

/**
 * Runs one service as its own process: reads its whole configuration once (`variables`: the
 * service's config.ts, built on `serviceVariables`), checks the internal plane's TLS material
 * (docs/security.md), migrates and starts the service, serves its internal gRPC API (and, when
 * `variables` holds `agentListenerVariables`, fleet's agent plane), and shuts down cleanly on
 * SIGINT or SIGTERM (no process.exit: the loop drains so telemetry flushes).
 */
export async function runServiceProcess<Variables extends ServiceVariables>(options: {
  name: ServiceIdentity;
  variables: Variables;
  /** This service's schema migrations (what `start` runs first), for the migrate-only mode. */
  migrate(database: Database): Promise<void>;
  start(infrastructure: Infrastructure<ConfigOf<Variables>>): Promise<StartedService>;
}): Promise<void> {
  if (await migrateOnlyIfAsked(options.name, options.migrate)) return;
  const serviceConfig = readConfig(options.variables);
  const config = serviceConfig as ConfigOf<ServiceVariables>;
  // TLS material is checked before anything else starts: a misconfigured process fails at once.
  const internalPlane = readInternalPlaneSecurity(options.name, config);
  const agentListener =
    'AGENT_GRPC_PORT' in options.variables
      ? (serviceConfig as ConfigOf<ServiceVariables & typeof agentListenerVariables>)
      : undefined;
  const agentPlane = agentListener && readAgentPlaneServerSecurity(agentListener);
  const telemetry = initTelemetry({ serviceName: options.name });
  const log = createLogger(options.name);
  if (internalPlane.mode === 'insecure-loopback') {
    log.warn(`${INSECURE_SETTING} is set: TLS is OFF and every gRPC listener and peer is loopback only`);
  }
  const database = await openDatabase(config.DATABASE_URL);
  const bus = await openConfiguredBus(config);
  observeDatabasePool(database);
  const admin = await startProcessAdminServer(config, telemetry, dependencyChecks(database, bus));
  const service = await options.start({ database, bus, config: serviceConfig, internalPlane });
  const servers = [
    await startGrpcServer({
      plane: 'internal',
      host: listenHost(config.GRPC_HOST, internalPlane.mode === 'insecure-loopback'),
      port: config.GRPC_PORT,
      services: service.grpc,
      security: internalPlane,
    }),
  ];
  if (agentListener && agentPlane && service.agentGrpc) {
    const agentServer = await startGrpcServer({
      plane: 'agent',
      host: listenHost(agentListener.AGENT_GRPC_HOST, agentPlane.mode === 'insecure-loopback'),
      port: agentListener.AGENT_GRPC_PORT,
      services: service.agentGrpc,
      security: agentPlane,
    });
    servers.push(agentServer);
    log.info(
      { address: agentServer.address, tls: agentPlane.mode !== 'insecure-loopback' },
      `${options.name} agent plane listening`,
    );
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
 * (the caller then exits 0): the migration Job run before a rollout (deploy/k8s). It reads
 * only `migrateOnlyVariables`: no TLS material, no bus, no listener.
 */
export async function migrateOnlyIfAsked(
  name: ServiceIdentity,
  migrate: (database: Database) => Promise<void>,
): Promise<boolean> {
  if (!readConfig({ WAGATE_MIGRATE_ONLY: migrateOnlyVariables.WAGATE_MIGRATE_ONLY }).WAGATE_MIGRATE_ONLY)
    return false;
  const config = readConfig(migrateOnlyVariables);
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
