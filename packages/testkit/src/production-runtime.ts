import { randomBytes } from 'node:crypto';
import { type FreshPostgres, freshPostgresUrl } from '@wagate/db/testing';
import { readConfig } from '@wagate/config';
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
  /** The JetStream stream and subject prefix; `streamReplicas` for a clustered NATS (default: the bus's, 1). */
  bus: { streamName: string; subjectPrefix: string; streamReplicas?: number };
  /** Each service's internal gRPC port (the api's HTTP port), and fleet's agent plane. */
  ports: Record<Exclude<ProductionService, 'device-agent'> | 'fleetAgents', number>;
  /** Each process's admin server port (/metrics, /livez, /readyz), on 127.0.0.1. */
  adminPorts: Record<ProductionService, number>;
  /** Dispatch's key ring for webhook secrets at rest; fixed for the runtime, so a restart opens them. */
  secretKeys: string;
  /** The demo account's key (billing creates it on start). */
  apiKey: string;
  enrolmentToken: string;
  /** Per-service settings on top of the wiring (e.g. the agent's journal file, simulated devices). */
  extra?: Partial<Record<ProductionService, Record<string, string>>>;
}

const loopback = (port: number) => `127.0.0.1:${port}`;

/**
 * The environment of one production process: the one place that says how the services find
 * PostgreSQL, NATS and each other, so transport settings (TLS, credentials) are added here once.
 */
export function productionServiceEnv(
  service: ProductionService,
  wiring: ProductionWiring,
): Record<string, string> {
  const bus = {
    NATS_URL: wiring.natsUrl,
    NATS_STREAM: wiring.bus.streamName,
    NATS_SUBJECT_PREFIX: wiring.bus.subjectPrefix,
    ...(wiring.bus.streamReplicas ? { NATS_STREAM_REPLICAS: `${wiring.bus.streamReplicas}` } : {}),
  };
  const infrastructure = { DATABASE_URL: wiring.databaseUrl, ...bus, GRPC_HOST: '127.0.0.1' };
  const { ports } = wiring;
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
      BILLING_ADDRESS: loopback(ports.billing),
      TEMPLATES_ADDRESS: loopback(ports.templates),
      DISPATCH_ADDRESS: loopback(ports.dispatch),
      FLEET_ADDRESS: loopback(ports.fleet),
      WAGATE_ALLOW_LOOPBACK_WEBHOOKS: 'true',
    },
    'device-agent': {
      FLEET_AGENT_ADDRESS: loopback(ports.fleetAgents),
      WAGATE_ENROLMENT_TOKEN: wiring.enrolmentToken,
      WAGATE_SIM_DEVICES: '1',
    },
  };
  const admin = { ADMIN_HOST: '127.0.0.1', ADMIN_PORT: `${wiring.adminPorts[service]}` };
  return { ...own[service], ...admin, ...wiring.extra?.[service] };
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
  readonly apiUrl: string;
  /** `host:port` of each service's internal gRPC server. */
  readonly grpc: Record<'billing' | 'templates' | 'dispatch' | 'fleet', string>;
  /** `host:port` of each process's admin server (/metrics, /livez, /readyz). */
  readonly admin: Record<ProductionService, string>;
  /** The running process of each service (replaced on restart). */
  readonly processes: Map<ProductionService, ServiceProcess>;
  /** Starts (or starts again) one service and waits until it is ready; resolves with the milliseconds that took. */
  start(service: ProductionService): Promise<number>;
  /** Stops one service with `signal` (SIGKILL: no clean-up at all). */
  stop(service: ProductionService, signal?: NodeJS.Signals): Promise<void>;
  /** A client of the internal plane as `identity`, with that service's certificate from the test PKI. */
  clientSecurity(identity: ServiceIdentity): Promise<InternalPlaneSecurity>;
  /** Stops every process, then drops the database when the runtime made it. */
  close(): Promise<void>;
}

export interface ProductionRuntimeOptions
  extends Partial<Omit<ProductionWiring, 'ports' | 'adminPorts' | 'secretKeys'>> {
  /** The services to start (default every one; the device agent last). Others can be started later. */
  services?: readonly ProductionService[];
  /** `bundle`: from apps/<app>/dist/main.js, as production runs (default: the TypeScript source). */
  entry?: ServiceEntry;
}

/**
 * The production runtime as separate processes: every service its own process on one PostgreSQL
 * database and one NATS server, a simulated device agent last, every gRPC plane on TLS from the
 * test PKI (startServiceProcess adds it), all on loopback. Services migrate their own schemas on
 * start, together (which exercises concurrent migrations on one database). Whatever the options
 * leave out is made for the runtime: a fresh database (dropped on close), the test NATS with an
 * isolated stream, a demo key and an enrolment token.
 */
export async function startProductionRuntime(
  options: ProductionRuntimeOptions = {},
): Promise<ProductionRuntime> {
  const {
    services = PRODUCTION_SERVICES,
    entry = 'source',
    databaseUrl,
    natsUrl: givenNatsUrl,
    bus,
    apiKey,
    enrolmentToken,
    extra,
  } = options;
  const ownDatabase: FreshPostgres | undefined =
    databaseUrl === undefined ? await freshPostgresUrl() : undefined;
  // Six listener ports, then one admin port per process; probed at once, so all differ.
  const probed = await Promise.all(Array.from({ length: 6 + PRODUCTION_SERVICES.length }, () => freePort()));
  const [billing, templates, dispatch, fleet, fleetAgents, api] = probed as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const adminPorts = Object.fromEntries(
    PRODUCTION_SERVICES.map((name, i) => [name, probed[6 + i]!]),
  ) as Record<ProductionService, number>;
  const wiring: ProductionWiring = {
    databaseUrl: databaseUrl ?? ownDatabase!.url,
    natsUrl: givenNatsUrl ?? natsUrl(),
    bus: bus ?? isolatedBusNames(),
    apiKey: apiKey ?? 'wag_production_e2e_key_0123456789',
    enrolmentToken: enrolmentToken ?? 'e2e-enrolment-token',
    ...(extra ? { extra } : {}),
    ports: { billing, templates, dispatch, fleet, fleetAgents, api },
    adminPorts,
    secretKeys: `test:${randomBytes(32).toString('base64')}`,
  };
  const processes = new Map<ProductionService, ServiceProcess>();
  const start = async (service: ProductionService) => {
    const began = Date.now();
    const child = startServiceProcess(service, productionServiceEnv(service, wiring), entry);
    processes.set(service, child);
    await child.waitForOutput(READY_LINE[service]);
    return Date.now() - began;
  };
  const runtime: ProductionRuntime = {
    wiring,
    apiUrl: `http://127.0.0.1:${api}`,
    grpc: {
      billing: loopback(billing),
      templates: loopback(templates),
      dispatch: loopback(dispatch),
      fleet: loopback(fleet),
    },
    admin: Object.fromEntries(
      PRODUCTION_SERVICES.map((name) => [name, loopback(adminPorts[name])]),
    ) as Record<ProductionService, string>,
    processes,
    start,
    async stop(service, signal = 'SIGTERM') {
      await processes.get(service)?.stop(signal);
    },
    // The same reading of the same variables a service process does.
    clientSecurity: async (identity) =>
      readInternalPlaneSecurity(
        identity,
        readConfig(internalPlaneVariables, internalPlaneEnvironment(await testPkiDirectory(), identity)),
      ),
    async close() {
      await Promise.all([...processes.values()].map((child) => child.stop()));
      await ownDatabase?.drop();
    },
  };
  try {
    await Promise.all(services.filter((s) => s !== 'device-agent').map(start));
    if (services.includes('device-agent')) await start('device-agent');
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return runtime;
}
