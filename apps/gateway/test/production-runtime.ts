import { generateSecretKeys } from '@wagate/dispatch';
import { readConfig } from '@wagate/config';
import {
  freePort,
  type InternalPlaneSecurity,
  internalPlaneVariables,
  readInternalPlaneSecurity,
  type ServiceIdentity,
} from '@wagate/rpc';
import { internalPlaneEnvironment } from '@wagate/rpc/pki';
import {
  type FreshPostgres,
  freshPostgresUrl,
  isolatedBusNames,
  natsUrl,
  type ServiceProcess,
  startServiceProcess,
  testPkiDirectory,
} from '@wagate/testkit';

export type ServiceName = 'billing' | 'templates' | 'dispatch' | 'fleet' | 'api' | 'device-agent';

export interface ProductionRuntime {
  readonly apiUrl: string;
  readonly apiKey: string;
  readonly databaseUrl: string;
  /** The token the device agent enrolled with (fleet's bootstrap token for acc_demo). */
  readonly enrolmentToken: string;
  /** `host:port` of each service's internal gRPC server. */
  readonly grpc: Record<Exclude<ServiceName, 'api' | 'device-agent'>, string>;
  /** Ports of the listeners: each service's internal plane, fleet's agent plane, the api's HTTP. */
  readonly ports: Record<'billing' | 'templates' | 'dispatch' | 'fleet' | 'fleetAgents' | 'api', number>;
  /** `host:port` of each process's admin server (/metrics, /livez, /readyz). */
  readonly admin: Record<ServiceName, string>;
  readonly processes: Readonly<Record<ServiceName, ServiceProcess>>;
  /** A client of the internal plane as `identity`, with that service's certificate from the test PKI. */
  clientSecurity(identity: ServiceIdentity): Promise<InternalPlaneSecurity>;
  /** The JetStream stream and subject prefix this runtime uses. */
  readonly busNames: { streamName: string; subjectPrefix: string };
  stop(): Promise<void>;
}

/**
 * The production runtime as separate processes: five services and a device agent with one
 * simulated phone, on a fresh PostgreSQL database and an isolated JetStream stream, every gRPC
 * plane on TLS from the test PKI (the test kit adds the certificates), all on loopback.
 * `env` adds settings per process.
 */
export async function startProductionRuntime(
  options: {
    apiKey?: string;
    /** NATS to use (default: the test NATS) and the stream's replica count (default: the bus's, 1). */
    bus?: { natsUrl: string; streamReplicas?: number };
    /** Extra settings per process, e.g. pacing for fleet or more simulated phones for the agent. */
    env?: Partial<Record<ServiceName, Record<string, string>>>;
  } = {},
): Promise<ProductionRuntime> {
  const apiKey = options.apiKey ?? 'wag_production_e2e_key_0123456789';
  const enrolmentToken = 'e2e-enrolment-token';
  const database: FreshPostgres = await freshPostgresUrl();
  const bus = isolatedBusNames();
  const processes = {} as Record<ServiceName, ServiceProcess>;
  const names: ServiceName[] = ['billing', 'templates', 'dispatch', 'fleet', 'api', 'device-agent'];
  // Six listener ports, then one admin port per process; probed at once, so all differ.
  const probed = await Promise.all(Array.from({ length: 6 + names.length }, () => freePort()));
  const [billing, templates, dispatch, fleet, fleetAgents, api] = probed as [number, number, number, number, number, number];
  const ports = { billing, templates, dispatch, fleet, fleetAgents, api };
  const admin = Object.fromEntries(names.map((name, i) => [name, `127.0.0.1:${probed[6 + i]}`])) as Record<
    ServiceName,
    string
  >;
  const grpc = {
    billing: `127.0.0.1:${billing}`,
    templates: `127.0.0.1:${templates}`,
    dispatch: `127.0.0.1:${dispatch}`,
    fleet: `127.0.0.1:${fleet}`,
  };
  const busEnv = {
    NATS_URL: options.bus?.natsUrl ?? natsUrl(),
    NATS_STREAM: bus.streamName,
    NATS_SUBJECT_PREFIX: bus.subjectPrefix,
    ...(options.bus?.streamReplicas ? { NATS_STREAM_REPLICAS: `${options.bus.streamReplicas}` } : {}),
  };
  const infrastructure = { DATABASE_URL: database.url, ...busEnv, GRPC_HOST: '127.0.0.1', ADMIN_HOST: '127.0.0.1' };
  const start = async (name: ServiceName, env: Record<string, string>, ready: RegExp) => {
    const process = startServiceProcess(name, {
      ...env,
      ADMIN_PORT: admin[name].split(':')[1]!,
      ...options.env?.[name],
    });
    processes[name] = process;
    await process.waitForOutput(ready);
  };
  const stop = async () => {
    await Promise.all(Object.values(processes).map((process) => process.stop()));
    await database.drop();
  };
  try {
    // Services migrate their own schemas on start; starting them together also exercises
    // concurrent migrations on one database.
    await Promise.all([
      start('billing', { ...infrastructure, GRPC_PORT: `${billing}`, WAGATE_DEV_API_KEY: apiKey }, /billing listening/),
      start('templates', { ...infrastructure, GRPC_PORT: `${templates}` }, /templates listening/),
      start(
        'fleet',
        {
          ...infrastructure,
          GRPC_PORT: `${fleet}`,
          AGENT_GRPC_HOST: '127.0.0.1',
          AGENT_GRPC_PORT: `${fleetAgents}`,
          WAGATE_ENROLMENT_TOKEN: enrolmentToken,
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
          // Production refuses to start without the keys that seal webhook secrets at rest.
          WAGATE_SECRET_KEYS: generateSecretKeys('e2e'),
        },
        /dispatch listening/,
      ),
      start(
        'api',
        {
          PORT: `${api}`,
          ADMIN_HOST: '127.0.0.1',
          DATABASE_URL: database.url,
          ...busEnv,
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
        FLEET_AGENT_ADDRESS: `127.0.0.1:${fleetAgents}`,
        WAGATE_ENROLMENT_TOKEN: enrolmentToken,
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
    databaseUrl: database.url,
    busNames: bus,
    enrolmentToken,
    grpc,
    ports,
    admin,
    processes,
    // The same reading of the same variables a service process does.
    clientSecurity: async (identity) =>
      readInternalPlaneSecurity(
        identity,
        readConfig(internalPlaneVariables, internalPlaneEnvironment(await testPkiDirectory(), identity)),
      ),
    stop,
  };
}
