import { freePort } from '@wagate/rpc';
import {
  type FreshPostgres,
  freshPostgresUrl,
  isolatedBusNames,
  natsUrl,
  type ServiceProcess,
  startServiceProcess,
} from '@wagate/testkit';

/** Where each process of a started production runtime listens. */
export interface ProductionRuntime {
  apiUrl: string;
  apiKey: string;
  databaseUrl: string;
  ports: { billing: number; templates: number; dispatch: number; fleet: number; fleetAgents: number; api: number };
  /** The JetStream stream and subject prefix this runtime uses. */
  busNames: { streamName: string; subjectPrefix: string };
  processes: Record<'billing' | 'templates' | 'dispatch' | 'fleet' | 'api' | 'device-agent', ServiceProcess>;
  enrolmentToken: string;
  stop(): Promise<void>;
}

/**
 * The production runtime as separate processes on a fresh PostgreSQL database and its own
 * JetStream stream: the five services and one device agent with a simulated phone, every gRPC
 * plane on TLS from the test PKI (the test kit adds the certificates), all on loopback.
 */
export async function startProductionRuntime(options: {
  apiKey: string;
  /** NATS to use (default: the test NATS) and the stream's replica count (default: the bus's, 1). */
  bus?: { natsUrl: string; streamReplicas?: number };
  /** Extra settings per process, e.g. pacing for fleet or more simulated phones for the agent. */
  env?: Partial<Record<keyof ProductionRuntime['processes'], Record<string, string>>>;
}): Promise<ProductionRuntime> {
  const database: FreshPostgres = await freshPostgresUrl();
  const bus = isolatedBusNames();
  const [billing, templates, dispatch, fleet, fleetAgents, api] = await Promise.all(
    [1, 2, 3, 4, 5, 6].map(() => freePort()),
  );
  const ports = { billing: billing!, templates: templates!, dispatch: dispatch!, fleet: fleet!, fleetAgents: fleetAgents!, api: api! };
  const enrolmentToken = 'e2e-enrolment-token';
  const busEnv = {
    NATS_URL: options.bus?.natsUrl ?? natsUrl(),
    NATS_STREAM: bus.streamName,
    NATS_SUBJECT_PREFIX: bus.subjectPrefix,
    ...(options.bus?.streamReplicas ? { NATS_STREAM_REPLICAS: `${options.bus.streamReplicas}` } : {}),
  };
  const infrastructure = { DATABASE_URL: database.url, ...busEnv, GRPC_HOST: '127.0.0.1' };
  const processes = {} as ProductionRuntime['processes'];
  const start = async (app: keyof ProductionRuntime['processes'], env: Record<string, string>, ready: RegExp) => {
    const process = startServiceProcess(app, { ...env, ...options.env?.[app] });
    processes[app] = process;
    await process.waitForOutput(ready);
  };
  try {
    // Services migrate their own schemas on start; starting them together also exercises
    // concurrent migrations on one database.
    await Promise.all([
      start('billing', { ...infrastructure, GRPC_PORT: `${ports.billing}`, WAGATE_DEV_API_KEY: options.apiKey }, /billing listening/),
      start('templates', { ...infrastructure, GRPC_PORT: `${ports.templates}` }, /templates listening/),
      start(
        'fleet',
        {
          ...infrastructure,
          GRPC_PORT: `${ports.fleet}`,
          AGENT_GRPC_HOST: '127.0.0.1',
          AGENT_GRPC_PORT: `${ports.fleetAgents}`,
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
          GRPC_PORT: `${ports.dispatch}`,
          FLEET_ADDRESS: `127.0.0.1:${ports.fleet}`,
          // The test's callback receiver is on loopback, which production refuses by default.
          WAGATE_ALLOW_LOOPBACK_WEBHOOKS: 'true',
        },
        /dispatch listening/,
      ),
      start(
        'api',
        {
          PORT: `${ports.api}`,
          DATABASE_URL: database.url,
          ...busEnv,
          BILLING_ADDRESS: `127.0.0.1:${ports.billing}`,
          TEMPLATES_ADDRESS: `127.0.0.1:${ports.templates}`,
          DISPATCH_ADDRESS: `127.0.0.1:${ports.dispatch}`,
          FLEET_ADDRESS: `127.0.0.1:${ports.fleet}`,
          WAGATE_ALLOW_LOOPBACK_WEBHOOKS: 'true',
        },
        /api listening/,
      ),
    ]);
    await start(
      'device-agent',
      {
        FLEET_AGENT_ADDRESS: `127.0.0.1:${ports.fleetAgents}`,
        WAGATE_ENROLMENT_TOKEN: enrolmentToken,
        WAGATE_SIM_DEVICES: '1',
      },
      /welcomed by the fleet/,
    );
  } catch (error) {
    await Promise.all(Object.values(processes).map((process) => process.stop()));
    await database.drop();
    throw error;
  }
  return {
    apiUrl: `http://127.0.0.1:${ports.api}`,
    apiKey: options.apiKey,
    databaseUrl: database.url,
    ports,
    busNames: bus,
    processes,
    enrolmentToken,
    async stop() {
      await Promise.all(Object.values(processes).map((process) => process.stop()));
      await database.drop();
    },
  };
}
