import { createServer as createNetServer } from 'node:net';
import { ServerInterceptingCall, type ServerInterceptor, status } from '@grpc/grpc-js';
import { createLogger, grpcServerMetrics, grpcServerTracing } from '@wagate/telemetry';
import { HealthDefinition, HealthServiceImpl, HealthState } from 'nice-grpc-server-health';
import { createServer, type Server, type ServiceImplementation } from 'nice-grpc';
import { MAX_RPC_MESSAGE_BYTES } from './message-size.js';
import {
  type AccessTable,
  accessByPath,
  isServiceIdentity,
  type ProtoServiceDefinition,
  SERVICE_IDENTITIES,
  type ServiceIdentity,
} from './identity.js';
import {
  type AgentPlaneServerSecurity,
  agentServerCredentials,
  assertLoopback,
  callerIdentityOf,
  type InternalPlaneSecurity,
  internalServerCredentials,
} from './security.js';
import { domainErrorMiddleware } from './domain-errors.js';

/**
 * The two gRPC planes. `internal`: service-to-service APIs, mutual TLS, every method behind an
 * allow-list of caller identities. `agent`: what device agents call (the agent stream, where
 * they enrol), TLS to the server, nothing internal. Each plane is its own listener.
 */
export type Plane = 'internal' | 'agent';

/** grpc.health.v1's Check: open to every service identity on the internal plane. */
const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';

/** A service and its implementation, ready to be mounted on a server of its plane. */
export interface ServiceMount {
  readonly plane: Plane;
  readonly serviceName: string;
  /** Internal plane: method path → the identities that may call it. */
  readonly access: ReadonlyMap<string, ReadonlySet<ServiceIdentity>>;
  add(server: Server): void;
}

/** An internal-plane service with its access table: who may call each method (data, one place per service). */
export function mount<D extends ProtoServiceDefinition>(
  definition: D,
  implementation: ServiceImplementation<D>,
  access: AccessTable<D>,
): ServiceMount {
  return {
    plane: 'internal',
    serviceName: definition.fullName,
    access: accessByPath(definition, access),
    add: (server) => server.add(definition, implementation),
  };
}

/** An agent-plane service: open to any TLS client; the service itself authenticates agents. */
export function mountForAgents<D extends ProtoServiceDefinition>(
  definition: D,
  implementation: ServiceImplementation<D>,
): ServiceMount {
  return {
    plane: 'agent',
    serviceName: definition.fullName,
    access: new Map(),
    add: (server) => server.add(definition, implementation),
  };
}

export interface GrpcServer {
  /** `host:port` actually bound. */
  readonly address: string;
  /** Stops serving: grpc.health.v1 answers NOT_SERVING at once, then calls drain. */
  shutdown(): Promise<void>;
}

export type PlaneSecurity<P extends Plane> = P extends 'internal'
  ? InternalPlaneSecurity
  : AgentPlaneServerSecurity;

/**
 * Starts a traced and measured gRPC server for one plane, with the standard health service.
 * Production runs one service per process (fleet: one listener per plane); the embedded
 * runtime runs one loopback server per service. Without TLS the server binds loopback only.
 */
export async function startGrpcServer<P extends Plane>(options: {
  plane: P;
  host: string;
  port: number;
  services: ServiceMount[];
  security: PlaneSecurity<P>;
}): Promise<GrpcServer> {
  const log = createLogger(`grpc:${options.plane}`);
  for (const service of options.services) {
    if (service.plane !== options.plane) {
      throw new Error(
        `${service.serviceName} belongs to the ${service.plane} plane, not the ${options.plane} plane`,
      );
    }
  }
  const insecure = options.security.mode === 'insecure-loopback';
  if (insecure) assertLoopback(`${options.host}:${options.port}`, `the ${options.plane} gRPC listener`);
  const interceptors: ServerInterceptor[] = [];
  if (options.plane === 'internal' && !insecure) {
    // Every service may ask every peer's health (readiness checks); the rest is per table.
    const access = new Map<string, ReadonlySet<ServiceIdentity>>([
      [HEALTH_CHECK_PATH, new Set(SERVICE_IDENTITIES)],
    ]);
    for (const service of options.services) for (const [path, who] of service.access) access.set(path, who);
    interceptors.push(allowListInterceptor(access, log));
  }
  // nice-grpc passes its options through to grpc-js's Server, which takes server interceptors.
  const server = createServer({
    interceptors,
    'grpc.max_receive_message_length': MAX_RPC_MESSAGE_BYTES,
  } as Parameters<typeof createServer>[0])
    .use(grpcServerTracing())
    .use(grpcServerMetrics())
    .use(domainErrorMiddleware());
  // The standard health service (grpc.health.v1, as grpc-health-probe and peers' readiness
  // checks ask it): SERVING from the start, NOT_SERVING as soon as shutdown begins.
  const health = HealthState();
  server.add(HealthDefinition, HealthServiceImpl(health));
  for (const service of options.services) service.add(server);
  const credentials =
    options.plane === 'internal'
      ? await internalServerCredentials(options.security as InternalPlaneSecurity)
      : await agentServerCredentials(options.security as AgentPlaneServerSecurity);
  const port = await server.listen(`${options.host}:${options.port}`, credentials);
  if (insecure) {
    log.warn(
      { address: `${options.host}:${port}` },
      `INSECURE: the ${options.plane} gRPC plane is plaintext and unauthenticated (loopback only); never run production like this`,
    );
  }
  return {
    address: `${options.host}:${port}`,
    async shutdown() {
      health.setStatus('unhealthy');
      // Let calls finish briefly, then cut long-lived streams (device agents reconnect).
      const force = setTimeout(() => server.forceShutdown(), 1_000);
      force.unref();
      await server.shutdown();
      clearTimeout(force);
    },
  };
}

/**
 * Refuses, before the handler runs, a call whose caller's certificate names no service
 * (UNAUTHENTICATED) or a service the method's table does not list (PERMISSION_DENIED), and
 * logs the peer. The TLS layer has already refused connections without a certificate of the CA.
 */
function allowListInterceptor(
  access: ReadonlyMap<string, ReadonlySet<ServiceIdentity>>,
  log: ReturnType<typeof createLogger>,
): ServerInterceptor {
  return (method, call) => {
    const certificate = call.getAuthContext().sslPeerCertificate;
    const caller = callerIdentityOf(certificate);
    const allowed = access.get(method.path);
    if (isServiceIdentity(caller) && allowed?.has(caller)) return new ServerInterceptingCall(call);
    const refusal = isServiceIdentity(caller)
      ? { code: status.PERMISSION_DENIED, details: `${caller} may not call ${method.path}` }
      : { code: status.UNAUTHENTICATED, details: 'the internal plane needs a service certificate' };
    log.warn(
      {
        peer: call.getPeer(),
        caller: caller ?? null,
        certificateFingerprint: certificate?.fingerprint256 ?? null,
        method: method.path,
        code: status[refusal.code],
      },
      'internal gRPC call refused',
    );
    return new ServerInterceptingCall(call, {
      start: (next) => {
        next({ onReceiveMetadata: () => call.sendStatus(refusal) });
      },
    });
  };
}

/** A free TCP port on the host, for wiring peers before their server starts. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A server of one plane on a free loopback port: the embedded runtime's services and tests' stand-ins. */
export function startLoopbackGrpcServer<P extends Plane>(
  plane: P,
  services: ServiceMount[],
  security: PlaneSecurity<P>,
): Promise<GrpcServer> {
  return startGrpcServer({ plane, host: '127.0.0.1', port: 0, services, security });
}
