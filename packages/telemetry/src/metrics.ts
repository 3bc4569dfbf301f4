import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Attributes,
  type BatchObservableCallback,
  type Meter,
  type MeterProvider as ApiMeterProvider,
  metrics,
  type Observable,
} from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

/** Serves the process's metrics in the Prometheus text format (the admin server's `/metrics`). */
export type MetricsRequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Latency buckets in seconds, from a fast in-process call (1 ms) to a message that waited
 * minutes for its device (the same buckets everywhere, so dashboards can compare them).
 */
export const SECONDS_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
];

/**
 * The metrics half of the one telemetry setup per process: a MeterProvider registered
 * globally with a Prometheus reader (pulled by the admin server, never its own port) and, when
 * the standard `OTEL_EXPORTER_OTLP_*` variables name an endpoint, a periodic OTLP exporter.
 */
export function startMetrics(
  resource: Resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'wagate' }),
): {
  handler: MetricsRequestHandler;
  shutdown(): Promise<void>;
} {
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const readers: MetricReader[] = [prometheus];
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) {
    // The standard OTEL_METRIC_EXPORT_* variables (the reader itself does not read them).
    const exportIntervalMillis = Number(process.env.OTEL_METRIC_EXPORT_INTERVAL) || 60_000;
    const exportTimeoutMillis = Math.min(
      Number(process.env.OTEL_METRIC_EXPORT_TIMEOUT) || 30_000,
      exportIntervalMillis,
    );
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis,
        exportTimeoutMillis,
      }),
    );
  }
  const provider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(provider);
  return {
    handler: (request, response) => prometheus.getMetricsRequestHandler(request, response),
    async shutdown() {
      await provider.shutdown();
      metrics.disable();
    },
  };
}

/**
 * A service's instruments, made on first use from the meter provider registered at that time.
 * The OpenTelemetry API has no proxy meter: instruments made before `initTelemetry` would stay
 * no-ops forever, and module-level code runs before a main file's first line. Keyed by the
 * provider, so a process (or test) that registers one later gets real instruments.
 */
export function defineInstruments<T>(meterName: string, make: (meter: Meter) => T): () => T {
  const made = new WeakMap<ApiMeterProvider, T>();
  return () => {
    const provider = metrics.getMeterProvider();
    let instruments = made.get(provider);
    if (!instruments) {
      instruments = make(provider.getMeter(meterName));
      made.set(provider, instruments);
    }
    return instruments;
  };
}

/**
 * Observable gauges read at scrape time (e.g. a cheap query counting queued messages), for the
 * lifetime of a started service: the returned function stops observing. One callback observes
 * all of them, so a scrape runs `observe` once, and a failing read leaves the gauges unset for
 * that scrape rather than failing the whole scrape.
 */
export function observeGauges<G extends Record<string, { description: string; unit?: string }>>(
  meterName: string,
  gauges: G,
  observe: (record: (gauge: keyof G, value: number, attributes?: Attributes) => void) => Promise<void>,
  onError: (error: unknown) => void,
): () => void {
  const meter = metrics.getMeterProvider().getMeter(meterName);
  const instruments = new Map<keyof G, Observable>();
  for (const [name, { description, unit }] of Object.entries(gauges)) {
    instruments.set(name, meter.createObservableGauge(name, { description, ...(unit ? { unit } : {}) }));
  }
  const callback: BatchObservableCallback = async (result) => {
    try {
      await observe((gauge, value, attributes) => {
        const instrument = instruments.get(gauge);
        if (instrument) result.observe(instrument, value, attributes);
      });
    } catch (error) {
      onError(error);
    }
  };
  const observables = [...instruments.values()];
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}

/** Seconds elapsed since `since` (0 when absent), for age gauges and latency histograms. */
export function secondsSince(since: Date | number | null | undefined, now = Date.now()): number {
  if (since === null || since === undefined) return 0;
  const at = typeof since === 'number' ? since : since.getTime();
  return Math.max(0, (now - at) / 1000);
}
