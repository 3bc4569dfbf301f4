import { openTelemetryClientMiddleware, openTelemetryServerMiddleware } from 'nice-grpc-opentelemetry';

/**
 * gRPC tracing: the client middleware injects the active context into call metadata and the
 * server middleware continues it, so a message's trace crosses every service boundary.
 */
export const grpcClientTracing = openTelemetryClientMiddleware;
export const grpcServerTracing = openTelemetryServerMiddleware;
