import { ServerError, Status, type ServerMiddleware } from 'nice-grpc-common';
import { openTelemetryClientMiddleware, openTelemetryServerMiddleware } from 'nice-grpc-opentelemetry';
import { createLogger } from './logger.js';
import { defineInstruments, SECONDS_BUCKETS } from './metrics.js';

/**
 * gRPC tracing: the client middleware injects the active context into call metadata and the
 * server middleware continues it, so a message's trace crosses every service boundary.
 */
export const grpcClientTracing = openTelemetryClientMiddleware;
export const grpcServerTracing = openTelemetryServerMiddleware;

const rpcMetrics = defineInstruments('rpc', (meter) => ({
  serverDuration: meter.createHistogram('rpc.server.call.duration', {
    description: 'gRPC calls served, by service, method and status code (streams: until they end)',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  }),
}));

const log = createLogger('rpc');

/**
 * The OpenTelemetry RPC server metric: each call's duration by `rpc.service`, `rpc.method`
 * and `rpc.grpc.status_code` (the numeric gRPC status; 0 is OK), and a log line for each call
 * that failed with an unexpected error.
 */
export function grpcServerMetrics(): ServerMiddleware {
  return async function* measure(call, context) {
    const started = performance.now();
    // `path` is `/package.Service/Method`.
    const [, service = '', method = ''] = call.method.path.split('/');
    let code = Status.OK;
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      code =
        error instanceof ServerError
          ? error.code
          : context.signal.aborted
            ? Status.CANCELLED
            : Status.UNKNOWN;
      // A ServerError is an answer (not found, invalid argument…); anything else is a bug the
      // caller only sees as UNKNOWN, so it is logged here, in every service alike.
      if (code === Status.UNKNOWN) log.error({ err: error, rpc: `${service}/${method}` }, 'gRPC call failed');
      throw error;
    } finally {
      rpcMetrics().serverDuration.record((performance.now() - started) / 1000, {
        'rpc.system': 'grpc',
        'rpc.service': service,
        'rpc.method': method,
        'rpc.grpc.status_code': code,
      });
    }
  };
}
