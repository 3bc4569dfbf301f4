import { randomBytes } from 'node:crypto';
import { freePort } from '@wagate/rpc';
import { type ServiceEntry, type ServiceProcess, startServiceProcess } from './service-processes.js';

/** The services of the production runtime, each its own process, in the order they are started. */
export const PRODUCTION_SERVICES = ['billing', 'templates', 'fleet', 'dispatch', 'api', 'device-agent'] as const;
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
}

const loopback = (port: number) => `127.0.0.1:${port}`;

/**
 * The environment of one production process: the one place that says how the services find
 * PostgreSQL, NATS and each other, so transport settings (TLS, credentials) are added here once.
 */
export function productionServiceEnv(service: ProductionService, wiring: ProductionWiring): Record<string, string> {
  const infrastructure = {
    DATABASE_URL: wiring.databaseUrl,
    NATS_URL: wiring.natsUrl,
    NATS_STREAM: wiring.bus.streamName,
    NATS_SUBJECT_PREFIX: wiring.bus.subjectPrefix,
    GRPC_HOST: '127.0.0.1',
  };
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
      NATS_URL: wiring.natsUrl,
      NATS_STREAM: wiring.bus.streamName,
      NATS_SUBJECT_PREFIX: wiring.bus.subjectPrefix,
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
  return { ...own[service], ...wiring.extra?.[service] };
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
  /** The running process of each service (replaced on restart). */
  readonly processes: Map<ProductionService, ServiceProcess>;
  /** Starts (or starts again) one service and waits until it is ready; resolves with the milliseconds that took. */
  start(service: ProductionService): Promise<number>;
  /** Stops one service with `signal` (SIGKILL: no clean-up at all). */
  stop(service: ProductionService, signal?: NodeJS.Signals): Promise<void>;
  close(): Promise<void>;
}

/**
 * The production runtime of apps/gateway/test/production.e2e.test.ts as a reusable whole: every
 * service its own process on one PostgreSQL database and one NATS server, a simulated device
 * agent last, every gRPC plane on TLS from the test PKI (startServiceProcess adds it). Services
 * migrate their own schemas on start, together.
 */
export async function startProductionRuntime(
  options: Omit<ProductionWiring, 'ports' | 'secretKeys'> & {
    services?: readonly ProductionService[];
    /** `bundle`: from apps/<app>/dist/main.js, as production runs (default: the TypeScript source). */
    entry?: ServiceEntry;
  },
): Promise<ProductionRuntime> {
  const ports: ProductionWiring['ports'] = {
    billing: await freePort(),
    templates: await freePort(),
    dispatch: await freePort(),
    fleet: await freePort(),
    fleetAgents: await freePort(),
    api: await freePort(),
  };
  const { services: _services, entry = 'source', ...given } = options;
  const wiring: ProductionWiring = { ...given, ports, secretKeys: `test:${randomBytes(32).toString('base64')}` };
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
    apiUrl: `http://127.0.0.1:${ports.api}`,
    processes,
    start,
    async stop(service, signal = 'SIGTERM') {
      await processes.get(service)?.stop(signal);
    },
    async close() {
      await Promise.all([...processes.values()].map((child) => child.stop()));
    },
  };
  const services = options.services ?? PRODUCTION_SERVICES;
  try {
    await Promise.all(services.filter((s) => s !== 'device-agent').map(start));
    if (services.includes('device-agent')) await start('device-agent');
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return runtime;
}
