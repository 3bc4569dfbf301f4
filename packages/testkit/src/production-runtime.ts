import { randomBytes } from 'node:crypto';
import { readConfig } from '@wagate/config';
import { type FreshPostgres, freshPostgresUrl } from '@wagate/db/testing';
import {
  freePort,
  type InternalPlaneSecurity,
  internalPlaneVariables,
  readInternalPlaneSecurity,
  type ServiceIdentity,
} from '@wagate/rpc';
import { internalPlaneEnvironment } from '@wagate/rpc/pki';
import { isolatedBusNames, natsUrl } from './nats.js';
import { type ServiceEntry, type ServiceProcess, startServiceProcess } from './service-processes.js';
import { testPkiDirectory } from './test-pki.js';

/** The services of the production runtime, each its own process, in the order they are started. */
export const PRODUCTION_SERVICES = [
  'billing',
  'templates',
  'fleet',
  'dispatch',
  'api',
  'device-agent',
] as const;
export type ProductionService = (typeof PRODUCTION_SERVICES)[number];

/** Everything a production runtime's processes are wired with; ports are fixed once so a restart reuses them. */
export interface ProductionWiring {
  databaseUrl: string;
  natsUrl: string;
  bus: { streamName: string; subjectPrefix: string };
  /** Each service's internal gRPC port (the api's HTTP port), and fleet's agent plane. */
  ports: Record<Exclude<ProductionService, 'device-agent'> | 'fleetAgents', number>;
  /** Each process's admin server port (/metrics, /livez, /readyz) on 127.0.0.1, replica 0's. */
  adminPorts: Record<ProductionService, number>;
  /** Dispatch's key ring for webhook secrets at rest; fixed for the runtime, so a restart opens them. */
  secretKeys: string;
  /** The demo account's key (billing creates it on start). */
  apiKey: string;
  enrolmentToken: string;
  /** Per-service settings on top of the wiring (e.g. the agent's journal file, simulated devices). */
  extra?: Partial<Record<ProductionService, Record<string, string>>>;
  /** Replicas per service (default 1 each; every device agent is a replica of `device-agent`). */
  replicas?: Partial<Record<ProductionService, number>>;
  /**
   * Every replica's ports, replica 0 first (`ports` holds replica 0's). Replica r of a caller
   * talks to replica r (modulo their count) of each peer; device agent r dials every fleet
   * replica's agent plane, starting with fleet replica r (modulo their count).
   */
  replicaPorts?: Record<keyof ProductionWiring['ports'], number[]>;
  /** Settings for one replica on top of `extra` (e.g. a journal file per agent). */
  replicaExtra?: (service: ProductionService, replica: number) => Record<string, string>;
  /** `NATS_STREAM_REPLICAS` for every service (a NATS cluster); default: the bus's own (1). */
  streamReplicas?: number;
}

const loopback = (port: number) => `127.0.0.1:${port}`;

/**
 * The environment of one production process: the one place that says how the services find
 * PostgreSQL, NATS and each other, so transport settings (TLS, credentials) are added here once.
 */
export function productionServiceEnv(
  service: ProductionService,
  wiring: ProductionWiring,
  replica = 0,
): Record<string, string> {
  const bus = {
    NATS_URL: wiring.natsUrl,
    NATS_STREAM: wiring.bus.streamName,
    NATS_SUBJECT_PREFIX: wiring.bus.subjectPrefix,
    ...(wiring.streamReplicas ? { NATS_STREAM_REPLICAS: `${wiring.streamReplicas}` } : {}),
  };
  const infrastructure = { DATABASE_URL: wiring.databaseUrl, ...bus, GRPC_HOST: '127.0.0.1' };
  const all = wiring.replicaPorts;
  // This replica's own listeners, and the replica of each peer it talks to.
  const pick = (name: keyof ProductionWiring['ports']) => {
    const choices = all?.[name] ?? [wiring.ports[name]];
    return choices[replica % choices.length]!;
  };
  const ports = {
    billing: pick('billing'),
    templates: pick('templates'),
    fleet: pick('fleet'),
    fleetAgents: pick('fleetAgents'),
    dispatch: pick('dispatch'),
    api: pick('api'),
  };
  const fleetAgentPorts = all?.fleetAgents ?? [wiring.ports.fleetAgents];
  const fleetAgentAddresses = fleetAgentPorts.map((_, i) =>
    loopback(fleetAgentPorts[(replica + i) % fleetAgentPorts.length]!),
  );
  const own: Record<ProductionService, Record<string, string>> = {
    billing: {
      ...infrastructure,
      GRPC_PORT: `${ports.billing}`,
      WAGATE_DEV_API_KEY: wiring.apiKey,
      DISPATCH_ADDRESS: loopback(ports.dispatch),
    },
    templates: { ...infrastructure, GRPC_PORT: `${ports.templates}` },
    fleet: {
      ...infrastructure,
      GRPC_PORT: `${ports.fleet}`,
      AGENT_GRPC_HOST: '127.0.0.1',
      AGENT_GRPC_PORT: `${ports.fleetAgents}`,
      WAGATE_ENROLMENT_TOKEN: wiring.enrolmentToken,
      WAGATE_DEFAULT_ACCOUNT: 'acc_demo',
      WAGATE_DEFAULT_SENDER: 'MyCompany',
    },
    dispatch: {
      ...infrastructure,
      GRPC_PORT: `${ports.dispatch}`,
      FLEET_ADDRESS: loopback(ports.fleet),
      // Test callback receivers listen on loopback, which production refuses by default.
      WAGATE_ALLOW_LOOPBACK_WEBHOOKS: 'true',
      WAGATE_SECRET_KEYS: wiring.secretKeys,
    },
    api: {
      PORT: `${ports.api}`,
      DATABASE_URL: wiring.databaseUrl,
      ...bus,
      // Message ids are unique across api replicas by their worker id (packages/ids).
      ...(replica > 0 ? { WAGATE_WORKER_ID: `${replica}` } : {}),
      BILLING_ADDRESS: loopback(ports.billing),
      TEMPLATES_ADDRESS: loopback(ports.templates),
      DISPATCH_ADDRESS: loopback(ports.dispatch),
      FLEET_ADDRESS: loopback(ports.fleet),
      WAGATE_ALLOW_LOOPBACK_WEBHOOKS: 'true',
    },
    'device-agent': {
      // Every fleet replica, its own first: a failed stream moves it to the next (docs/fleet.md).
      FLEET_AGENT_ADDRESS: fleetAgentAddresses.join(','),
      WAGATE_ENROLMENT_TOKEN: wiring.enrolmentToken,
      WAGATE_SIM_DEVICES: '1',
      // Another host: its own agent id and phone numbers.
      ...(replica > 0
        ? { WAGATE_AGENT_ID: `agent-replica-${replica}`, WAGATE_SIM_NUMBER_BASE: `7999${replica}000001` }
        : {}),
    },
  };
  // Replica 0 keeps its admin port across restarts (a scraper's target); other replicas take any free one.
  const admin = {
    ADMIN_HOST: '127.0.0.1',
    ...(replica === 0 ? { ADMIN_PORT: `${wiring.adminPorts[service]}` } : {}),
  };
  return {
    ...own[service],
    ...admin,
    ...wiring.extra?.[service],
    ...wiring.replicaExtra?.(service, replica),
  };
}

/** The log line each process prints once it serves requests. */
export const READY_LINE: Record<ProductionService, RegExp> = {
  billing: /billing listening/,
  templates: /templates listening/,
  fleet: /fleet listening/,
  dispatch: /dispatch listening/,
  api: /api listening/,
  'device-agent': /welcomed by the fleet/,
};

export interface ProductionRuntime {
  readonly wiring: ProductionWiring;
  /** The api's URL (replica 0's). */
  readonly apiUrl: string;
  /** Every api replica's URL, replica 0 first. */
  readonly apiUrls: string[];
  /** `host:port` of each service's internal gRPC server, replica 0's. */
  readonly grpc: Record<'billing' | 'templates' | 'dispatch' | 'fleet', string>;
  /** `host:port` of each process's admin server (/metrics, /livez, /readyz), replica 0's. */
  readonly admin: Record<ProductionService, string>;
  /** The running process of each service, replica 0's (replaced on restart). */
  readonly processes: Map<ProductionService, ServiceProcess>;
  /** Every replica's running process of a service, replica 0 first (replaced on restart). */
  replicas(service: ProductionService): ServiceProcess[];
  /** Starts (or starts again) one replica of a service (default 0) and waits until it is ready; resolves with the milliseconds that took. */
  start(service: ProductionService, replica?: number): Promise<number>;
  /** Stops a service with `signal` (SIGKILL: no clean-up at all): one replica, or every replica when none is named. */
  stop(service: ProductionService, signal?: NodeJS.Signals, replica?: number): Promise<void>;
  /** A client of the internal plane as `identity`, with that service's certificate from the test PKI. */
  clientSecurity(identity: ServiceIdentity): Promise<InternalPlaneSecurity>;
  /** Stops every process, then drops the database when the runtime made it. */
  close(): Promise<void>;
}

export interface ProductionRuntimeOptions
  extends Partial<Omit<ProductionWiring, 'ports' | 'adminPorts' | 'secretKeys' | 'replicaPorts'>> {
  /** The services to start (default every one; device agents last). Others can be started later. */
  services?: readonly ProductionService[];
  /** `bundle`: from apps/<app>/dist/main.js, as production runs (default: the TypeScript source). */
  entry?: ServiceEntry;
  /** How long a process may take to say it is ready (default 60 s; many processes from source start slower). */
  readyTimeoutMs?: number;
}

/**
 * The production runtime as separate processes: every service its own process (or `replicas`
 * processes) on one PostgreSQL database and NATS (a server or a cluster), simulated device
 * agents last, every gRPC plane on TLS from the test PKI (startServiceProcess adds it), all on
 * loopback. Services migrate their own schemas on start, together (which exercises concurrent
 * migrations on one database). Whatever the options leave out is made for the runtime: a fresh
 * database (dropped on close), the test NATS with an isolated stream, a demo key and an
 * enrolment token.
 */
export async function startProductionRuntime(
  options: ProductionRuntimeOptions = {},
): Promise<ProductionRuntime> {
  const count = (service: ProductionService) => Math.max(1, options.replicas?.[service] ?? 1);
  // Every listener's port probed at once, and none twice: ten processes need ten distinct ports.
  const taken = new Set<number>();
  const distinctPort = async (): Promise<number> => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const portsOf = (service: Exclude<ProductionService, 'device-agent'>) =>
    Promise.all(Array.from({ length: count(service) }, distinctPort));
  const [billing, templates, dispatch, fleet, fleetAgents, api] = await Promise.all([
    portsOf('billing'),
    portsOf('templates'),
    portsOf('dispatch'),
    portsOf('fleet'),
    portsOf('fleet'),
    portsOf('api'),
  ]);
  const replicaPorts: Record<keyof ProductionWiring['ports'], number[]> = {
    billing,
    templates,
    dispatch,
    fleet,
    fleetAgents,
    api,
  };
  const adminPorts = Object.fromEntries(
    await Promise.all(PRODUCTION_SERVICES.map(async (service) => [service, await distinctPort()] as const)),
  ) as Record<ProductionService, number>;
  const ports: ProductionWiring['ports'] = {
    billing: replicaPorts.billing[0]!,
    templates: replicaPorts.templates[0]!,
    dispatch: replicaPorts.dispatch[0]!,
    fleet: replicaPorts.fleet[0]!,
    fleetAgents: replicaPorts.fleetAgents[0]!,
    api: replicaPorts.api[0]!,
  };
  const { services: _services, entry = 'source', readyTimeoutMs, ...given } = options;
  const ownDatabase: FreshPostgres | undefined =
    given.databaseUrl === undefined ? await freshPostgresUrl() : undefined;
  const wiring: ProductionWiring = {
    ...given,
    databaseUrl: given.databaseUrl ?? ownDatabase!.url,
    natsUrl: given.natsUrl ?? natsUrl(),
    bus: given.bus ?? isolatedBusNames(),
    apiKey: given.apiKey ?? 'wag_production_e2e_key_0123456789',
    enrolmentToken: given.enrolmentToken ?? 'e2e-enrolment-token',
    ports,
    adminPorts,
    replicaPorts,
    secretKeys: `test:${randomBytes(32).toString('base64')}`,
  };
  const running = new Map<ProductionService, ServiceProcess[]>();
  const processes = new Map<ProductionService, ServiceProcess>();
  const start = async (service: ProductionService, replica = 0) => {
    const began = Date.now();
    const child = startServiceProcess(service, productionServiceEnv(service, wiring, replica), entry);
    const replicas = running.get(service) ?? [];
    replicas[replica] = child;
    running.set(service, replicas);
    if (replica === 0) processes.set(service, child);
    await child.waitForOutput(READY_LINE[service], readyTimeoutMs);
    return Date.now() - began;
  };
  const startAll = (service: ProductionService) =>
    Promise.all(Array.from({ length: count(service) }, (_, replica) => start(service, replica)));
  const runtime: ProductionRuntime = {
    wiring,
    apiUrl: `http://127.0.0.1:${ports.api}`,
    apiUrls: replicaPorts.api.map((port) => `http://127.0.0.1:${port}`),
    grpc: {
      billing: loopback(ports.billing),
      templates: loopback(ports.templates),
      dispatch: loopback(ports.dispatch),
      fleet: loopback(ports.fleet),
    },
    admin: Object.fromEntries(
      PRODUCTION_SERVICES.map((name) => [name, loopback(adminPorts[name])]),
    ) as Record<ProductionService, string>,
    processes,
    replicas: (service) => [...(running.get(service) ?? [])],
    start,
    async stop(service, signal = 'SIGTERM', replica) {
      const replicas = running.get(service) ?? [];
      const chosen = replica === undefined ? replicas : [replicas[replica]];
      await Promise.all(chosen.map((child) => child?.stop(signal)));
    },
    // The same reading of the same variables a service process does.
    clientSecurity: async (identity) =>
      readInternalPlaneSecurity(
        identity,
        readConfig(internalPlaneVariables, internalPlaneEnvironment(await testPkiDirectory(), identity)),
      ),
    async close() {
      await Promise.all([...running.values()].flat().map((child) => child.stop()));
      await ownDatabase?.drop();
    },
  };
  const services = options.services ?? PRODUCTION_SERVICES;
  try {
    await Promise.all(services.filter((s) => s !== 'device-agent').map(startAll));
    if (services.includes('device-agent')) await startAll('device-agent');
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return runtime;
}
