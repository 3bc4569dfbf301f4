import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Bus } from '@wagate/bus';
import { type ConfigOf, env } from '@wagate/config';
import type { Database } from '@wagate/db';
import { type InternalPlaneSecurity, peerHealthCheck, type ServiceIdentity } from '@wagate/rpc';
import { sql } from 'kysely';
import type { MetricsRequestHandler, Telemetry } from '@wagate/telemetry';

/** One dependency readiness waits for (database, bus, a peer); throws when it does not answer. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export type ReadinessState = 'starting' | 'ready' | 'draining';

export interface AdminServer {
  readonly url: string;
  /** Started: /readyz now asks the checks (before this it answers 503 `starting`, e.g. while migrating). */
  markReady(): void;
  /** Adds checks /readyz asks from now on (a service's peers are known once it started). */
  addChecks(checks: ReadinessCheck[]): void;
  /** Shutting down: /readyz answers 503 `draining` from now on, so load balancers stop sending work. */
  markDraining(): void;
  close(): Promise<void>;
}

/**
 * Each process's default ADMIN_PORT, one apart so a single host runs them all without
 * settings (the embedded gateway takes the api's). 9464 is OpenTelemetry's Prometheus port.
 */
export const DEFAULT_ADMIN_PORTS: Readonly<Record<string, number>> = {
  api: 9464,
  wagate: 9464,
  billing: 9465,
  templates: 9466,
  dispatch: 9467,
  fleet: 9468,
  'device-agent': 9469,
};

/** How long one readiness check may take before it counts as not answering. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * The admin HTTP server every process runs beside its public listener (ADMIN_PORT): never
 * exposed to API clients, scraped by Prometheus and probed by the orchestrator.
 * - `GET /metrics`: the process's OpenTelemetry metrics in the Prometheus text format;
 * - `GET /livez`: 200 while the event loop answers (restart the process when it does not);
 * - `GET /readyz`: 200 only when started, not draining, and every check answers; otherwise
 *   503 with the state and each check's result, so an operator sees which dependency is down.
 */
export async function startAdminServer(options: {
  host: string;
  port: number;
  metrics: MetricsRequestHandler;
  checks?: ReadinessCheck[];
}): Promise<AdminServer> {
  let state: ReadinessState = 'starting';
  const checks = [...(options.checks ?? [])];

  const readiness = async (): Promise<{ ready: boolean; body: unknown }> => {
    if (state !== 'ready') return { ready: false, body: { status: state } };
    const results = await Promise.all(
      checks.map(async ({ name, check }) => [name, await runCheck(check)] as const),
    );
    const ready = results.every(([, result]) => result === 'ok');
    return { ready, body: { status: ready ? 'ready' : 'unready', checks: Object.fromEntries(results) } };
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return sendJson(response, 405, { error: 'GET only' });
    if (path === '/metrics') return options.metrics(request, response);
    if (path === '/livez') return sendJson(response, 200, { status: 'alive' });
    if (path === '/readyz') {
      void readiness().then(({ ready, body }) => sendJson(response, ready ? 200 : 503, body));
      return;
    }
    sendJson(response, 404, { error: 'not found: /metrics, /livez and /readyz are served here' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    markReady() {
      if (state === 'starting') state = 'ready';
    },
    addChecks(more) {
      checks.push(...more);
    },
    markDraining() {
      state = 'draining';
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The admin server's variables (metrics, /livez, /readyz) of the process named `name`. */
export function adminVariables(name: string) {
  return {
    ADMIN_HOST: env.string({
      default: '0.0.0.0',
      description: 'The address the admin server (/metrics, /livez, /readyz) listens on.',
    }),
    ADMIN_PORT: env.port({
      default: DEFAULT_ADMIN_PORTS[name] ?? 0,
      description: "The admin server's port; each process has its own default, so one host runs them all.",
    }),
  };
}

export type AdminConfig = ConfigOf<ReturnType<typeof adminVariables>>;

/** The admin server where `config` says. */
export function startProcessAdminServer(
  config: AdminConfig,
  telemetry: Telemetry,
  checks: ReadinessCheck[] = [],
): Promise<AdminServer> {
  return startAdminServer({
    host: config.ADMIN_HOST,
    port: config.ADMIN_PORT,
    metrics: telemetry.metricsHandler,
    checks,
  });
}

/** What every service needs to do its work: its database answers a query and its bus answers. */
export function dependencyChecks(database: Database, bus: Bus): ReadinessCheck[] {
  return [
    { name: 'database', check: async () => void (await sql`select 1`.execute(database.db)) },
    { name: 'bus', check: () => bus.ping() },
  ];
}

/** Each gRPC peer a service calls must answer SERVING to grpc.health.v1. */
export function peerChecks(
  peers: Readonly<Partial<Record<ServiceIdentity, string>>>,
  security: InternalPlaneSecurity,
): ReadinessCheck[] {
  return (Object.entries(peers) as Array<[ServiceIdentity, string]>).map(([name, address]) =>
    peerHealthCheck(name, address, security),
  );
}

async function runCheck(check: () => Promise<void>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
