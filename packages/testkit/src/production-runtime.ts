import { randomBytes } from 'node:crypto';
import { freePort } from '@wagate/rpc';
import { type ServiceEntry, type ServiceProcess, startServiceProcess } from './service-processes.js';

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
  return { ...own[service], ...wiring.extra?.[service], ...wiring.replicaExtra?.(service, replica) };
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
  /** The running process of each service, replica 0's (replaced on restart). */
  readonly processes: Map<ProductionService, ServiceProcess>;
  /** Every replica's running process of a service, replica 0 first (replaced on restart). */
  replicas(service: ProductionService): ServiceProcess[];
  /** Starts (or starts again) one replica of a service (default 0) and waits until it is ready; resolves with the milliseconds that took. */
  start(service: ProductionService, replica?: number): Promise<number>;
  /** Stops a service with `signal` (SIGKILL: no clean-up at all): one replica, or every replica when none is named. */
  stop(service: ProductionService, signal?: NodeJS.Signals, replica?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The production runtime of apps/gateway/test/production.e2e.test.ts as a reusable whole: every
 * service its own process (or `replicas` processes) on one PostgreSQL database and NATS (a
 * server or a cluster), simulated device agents last, every gRPC plane on TLS from the test
 * PKI (startServiceProcess adds it). Services migrate their own schemas on start, together.
 */
export async function startProductionRuntime(
  options: Omit<ProductionWiring, 'ports' | 'secretKeys' | 'replicaPorts'> & {
    services?: readonly ProductionService[];
    /** `bundle`: from apps/<app>/dist/main.js, as production runs (default: the TypeScript source). */
    entry?: ServiceEntry;
    /** How long a process may take to say it is ready (default 60 s; many processes from source start slower). */
    readyTimeoutMs?: number;
  },
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
  const ports: ProductionWiring['ports'] = {
    billing: replicaPorts.billing[0]!,
    templates: replicaPorts.templates[0]!,
    dispatch: replicaPorts.dispatch[0]!,
    fleet: replicaPorts.fleet[0]!,
    fleetAgents: replicaPorts.fleetAgents[0]!,
    api: replicaPorts.api[0]!,
  };
  const { services: _services, entry = 'source', readyTimeoutMs, ...given } = options;
  const wiring: ProductionWiring = {
    ...given,
    ports,
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
    processes,
    replicas: (service) => [...(running.get(service) ?? [])],
    start,
    async stop(service, signal = 'SIGTERM', replica) {
      const replicas = running.get(service) ?? [];
      const chosen = replica === undefined ? replicas : [replicas[replica]];
      await Promise.all(chosen.map((child) => child?.stop(signal)));
    },
    async close() {
      await Promise.all([...running.values()].flat().map((child) => child.stop()));
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
