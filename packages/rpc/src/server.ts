import { createServer as createNetServer } from 'node:net';
import { grpcServerTracing } from '@wagate/telemetry';
import { type CompatServiceDefinition, createServer, type Server, type ServiceImplementation } from 'nice-grpc';
import { peerUnavailableMiddleware } from './peer-unavailable.js';

/** A service and its implementation, ready to be mounted on a server. */
export type ServiceMount = (server: Server) => void;

export function mount<D extends CompatServiceDefinition>(
  definition: D,
  implementation: ServiceImplementation<D>,
): ServiceMount {
  return (server) => server.add(definition, implementation);
}

export interface GrpcServer {
  /** `host:port` actually bound. */
  readonly address: string;
  shutdown(): Promise<void>;
}

/**
 * Starts a traced gRPC server hosting the given services. Production runs one service per
 * process; the embedded runtime hosts all of them on one server.
 */
export async function startGrpcServer(options: {
  host: string;
  port: number;
  services: ServiceMount[];
}): Promise<GrpcServer> {
  const server = createServer().use(grpcServerTracing()).use(peerUnavailableMiddleware());
  for (const mountService of options.services) mountService(server);
  const port = await server.listen(`${options.host}:${options.port}`);
  return {
    address: `${options.host}:${port}`,
    async shutdown() {
      // Let calls finish briefly, then cut long-lived streams (device agents reconnect).
      const force = setTimeout(() => server.forceShutdown(), 1_000);
      force.unref();
      await server.shutdown();
      clearTimeout(force);
    },
  };
}

/** A free TCP port on the host, for wiring peers before their server starts. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
