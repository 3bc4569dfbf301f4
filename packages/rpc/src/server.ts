import { grpcServerTracing } from '@wagate/telemetry';
import { createServer, type Server, type CompatServiceDefinition, type ServiceImplementation } from 'nice-grpc';

export interface GrpcServer {
  /** `host:port` actually bound (useful when asked for port 0). */
  readonly address: string;
  add<D extends CompatServiceDefinition>(definition: D, implementation: ServiceImplementation<D>): void;
  shutdown(): Promise<void>;
}

/**
 * A gRPC server with trace propagation. Services are added before `listen`; the embedded
 * runtime hosts every service on one server, production one service per process.
 */
export function createGrpcServer(): { server: Server; listen(host: string, port: number): Promise<GrpcServer> } {
  const server = createServer().use(grpcServerTracing());
  return {
    server,
    async listen(host, port) {
      const bound = await server.listen(`${host}:${port}`);
      return {
        address: `${host}:${bound}`,
        add: (definition, implementation) => server.add(definition, implementation),
        async shutdown() {
          // Give streams a moment to close cleanly, then cut what is left.
          const forced = setTimeout(() => server.forceShutdown(), 2_000);
          forced.unref();
          await server.shutdown();
          clearTimeout(forced);
        },
      };
    },
  };
}
