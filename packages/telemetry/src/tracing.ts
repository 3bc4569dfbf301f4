import {
  type Attributes,
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { type MetricsRequestHandler, startMetrics } from './metrics.js';
import { AccountSpanProcessor } from './tenant.js';

export interface TelemetryOptions {
  /** `service.name` of this process (in the embedded runtime: `wagate`). */
  serviceName: string;
  /** Extra processors, e.g. a SimpleSpanProcessor over an InMemorySpanExporter in tests. */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  /** Serves this process's metrics in the Prometheus text format (mounted at the admin server's `/metrics`). */
  metricsHandler: MetricsRequestHandler;
  shutdown(): Promise<void>;
}

let active: Telemetry | undefined;

/**
 * The one telemetry setup of a process: registers the global tracer provider, the
 * AsyncLocalStorage context manager, the W3C propagators and the global meter provider
 * (metrics.ts). Spans and metrics are exported over OTLP only when the standard
 * `OTEL_EXPORTER_OTLP_*` variables name an endpoint, so nothing is sent anywhere by default;
 * metrics are always readable through `metricsHandler`. A second call shares the first setup.
 */
export function initTelemetry(options: TelemetryOptions): Telemetry {
  if (active) return { metricsHandler: active.metricsHandler, shutdown: () => Promise.resolve() };
  // The account of the work (tenant.ts) is named on every span as it starts.
  const processors: SpanProcessor[] = [new AccountSpanProcessor(), ...(options.spanProcessors ?? [])];
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME ?? options.serviceName,
  });
  const provider = new NodeTracerProvider({ resource, spanProcessors: processors });
  provider.register();
  const meters = startMetrics(resource);
  const telemetry: Telemetry = {
    metricsHandler: meters.handler,
    async shutdown() {
      await Promise.all([provider.shutdown(), meters.shutdown()]);
      if (active === telemetry) active = undefined;
    },
  };
  active = telemetry;
  return telemetry;
}

/**
 * Runs `fn` in a new span named `<service>.<operation>`; records an exception and an error
 * status when it throws. `parent` overrides the active context (for work that arrives from
 * the bus or a device stream carrying its own trace headers).
 */
export async function inSpan<T>(
  name: string,
  options: {
    kind?: SpanKind;
    attributes?: Attributes;
    parent?: Context;
    /** Trace headers of other spans this work is also done for (e.g. the calls a group commit serves). */
    links?: ReadonlyArray<Record<string, string>>;
  },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const service = name.split('.')[0] ?? 'wagate';
  const tracer = trace.getTracer(service);
  const links = (options.links ?? []).flatMap((headers) => {
    const linked = trace.getSpanContext(contextFromHeaders(headers));
    return linked ? [{ context: linked }] : [];
  });
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {}, links },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * The active context, to be named later from elsewhere: a write batched with others' carries
 * each report's own trace into the events it writes (`traceHeadersWithAccount(ctx, …)`).
 */
export function activeContext(): Context {
  return context.active();
}

/** The active trace context as string headers (`traceparent`, `tracestate`). */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** A context whose parent is the span named by the headers (or the root context when absent). */
export function contextFromHeaders(headers: Record<string, string | undefined> | undefined): Context {
  return propagation.extract(context.active(), headers ?? {});
}

/** The `traceparent` of the active span, or '' outside a trace. */
export function currentTraceparent(): string {
  return traceHeaders().traceparent ?? '';
}

/** Sets attributes on the span of the current context (the RPC or request being served), if any. */
export function setSpanAttributes(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

export { SpanKind };
export type { Attributes, Context };
