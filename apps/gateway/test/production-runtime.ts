import { freePort } from '@wagate/rpc';
import {
  type FreshPostgres,
  freshPostgresUrl,
  isolatedBusNames,
  natsUrl,
  type ServiceProcess,
  startServiceProcess,
} from '@wagate/testkit';

export type ServiceName = 'billing' | 'templates' | 'dispatch' | 'fleet' | 'api' | 'device-agent';

export interface ProductionRuntime {
  readonly apiUrl: string;
  readonly apiKey: string;
  /** `host:port` of each service's gRPC server. */
  readonly grpc: Record<Exclude<ServiceName, 'api' | 'device-agent'>, string>;
  /** `host:port` of each process's admin server (/metrics, /livez, /readyz). */
  readonly admin: Record<ServiceName, string>;
  process(name: ServiceName): ServiceProcess;
  stop(): Promise<void>;
}

/**
 * The production runtime as separate processes: five services and a device agent with one
 * simulated phone, on a fresh PostgreSQL database and an isolated JetStream stream, started
 * the way `node apps/<app>/src/main.ts` runs them. `env` adds settings per process.
 */
export async function startProductionRuntime(
  options: { apiKey?: string; env?: Partial<Record<ServiceName, Record<string, string>>> } = {},
): Promise<ProductionRuntime> {
  const apiKey = options.apiKey ?? 'wag_production_e2e_key_0123456789';
  const database: FreshPostgres = await freshPostgresUrl();
  const bus = isolatedBusNames();
  const processes = new Map<ServiceName, ServiceProcess>();
  const names: ServiceName[] = ['billing', 'templates', 'dispatch', 'fleet', 'api', 'device-agent'];
  // Five gRPC and HTTP ports, then one admin port per process; probed at once, so all differ.
  const ports = await Promise.all(Array.from({ length: 5 + names.length }, () => freePort()));
  const [billing, templates, dispatch, fleet, api] = ports as [number, number, number, number, number];
  const admin = Object.fromEntries(names.map((name, i) => [name, `127.0.0.1:${ports[5 + i]}`])) as Record<
    ServiceName,
    string
  >;
  const grpc = {
    billing: `127.0.0.1:${billing}`,
    templates: `127.0.0.1:${templates}`,
    dispatch: `127.0.0.1:${dispatch}`,
    fleet: `127.0.0.1:${fleet}`,
  };
  const infrastructure = {
    DATABASE_URL: database.url,
    NATS_URL: natsUrl(),
    NATS_STREAM: bus.streamName,
    NATS_SUBJECT_PREFIX: bus.subjectPrefix,
    GRPC_HOST: '127.0.0.1',
    ADMIN_HOST: '127.0.0.1',
  };
  const start = async (name: ServiceName, env: Record<string, string>, ready: RegExp) => {
    const process = startServiceProcess(name, {
      ...env,
      ADMIN_PORT: admin[name].split(':')[1]!,
      ...options.env?.[name],
    });
    processes.set(name, process);
    await process.waitForOutput(ready);
  };
  const stop = async () => {
    await Promise.all([...processes.values()].map((process) => process.stop()));
    await database.drop();
  };
  try {
    // Services migrate their own schemas on start; starting them together also exercises
    // concurrent migrations on one database.
    await Promise.all([
      start(
        'billing',
        { ...infrastructure, GRPC_PORT: `${billing}`, WAGATE_DEV_API_KEY: apiKey },
        /billing listening/,
      ),
      start('templates', { ...infrastructure, GRPC_PORT: `${templates}` }, /templates listening/),
      start(
        'fleet',
        {
          ...infrastructure,
          GRPC_PORT: `${fleet}`,
          WAGATE_ENROLMENT_TOKEN: 'e2e-enrolment-token',
          WAGATE_DEFAULT_ACCOUNT: 'acc_demo',
          WAGATE_DEFAULT_SENDER: 'MyCompany',
        },
        /fleet listening/,
      ),
      start(
        'dispatch',
        {
          ...infrastructure,
          GRPC_PORT: `${dispatch}`,
          FLEET_ADDRESS: grpc.fleet,
          // The test's callback receiver is on loopback, which production refuses by default.
          WAGATE_ALLOW_LOOPBACK_WEBHOOKS: 'true',
        },
        /dispatch listening/,
      ),
      start(
        'api',
        {
          PORT: `${api}`,
          ADMIN_HOST: '127.0.0.1',
          DATABASE_URL: database.url,
          NATS_URL: infrastructure.NATS_URL,
          NATS_STREAM: infrastructure.NATS_STREAM,
          NATS_SUBJECT_PREFIX: infrastructure.NATS_SUBJECT_PREFIX,
          BILLING_ADDRESS: grpc.billing,
          TEMPLATES_ADDRESS: grpc.templates,
          DISPATCH_ADDRESS: grpc.dispatch,
          FLEET_ADDRESS: grpc.fleet,
          WAGATE_ALLOW_LOOPBACK_WEBHOOKS: 'true',
        },
        /api listening/,
      ),
    ]);
    await start(
      'device-agent',
      {
        ADMIN_HOST: '127.0.0.1',
        FLEET_ADDRESS: grpc.fleet,
        WAGATE_ENROLMENT_TOKEN: 'e2e-enrolment-token',
        WAGATE_SIM_DEVICES: '1',
      },
      /welcomed by the fleet/,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    apiUrl: `http://127.0.0.1:${api}`,
    apiKey,
    grpc,
    admin,
    process: (name) => processes.get(name)!,
    stop,
  };
}
