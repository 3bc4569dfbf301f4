import { env } from '@wagate/config';

/**
 * The telemetry variables every process honours, for its configuration schema (validated and
 * documented with the rest). The logger and the OpenTelemetry SDK read them where they start;
 * the SDK also honours the other standard OTEL_* variables (samplers, headers, protocols).
 */
export const telemetryVariables = {
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    description: 'The least severe log line written (JSON lines on stdout).',
  }),
  OTEL_SERVICE_NAME: env.string({
    optional: true,
    description: "The service name on traces and metrics; default the process's name.",
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.string({
    optional: true,
    accepts: 'an http(s) URL',
    description:
      'An OTLP/HTTP collector (e.g. http://otel-collector:4318): traces and metrics are pushed there. Unset: no traces, metrics only on /metrics.',
  }),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: env.string({
    optional: true,
    accepts: 'an http(s) URL',
    description: 'Where traces go, when not to OTEL_EXPORTER_OTLP_ENDPOINT.',
  }),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: env.string({
    optional: true,
    accepts: 'an http(s) URL',
    description: 'Where metrics are pushed, when not to OTEL_EXPORTER_OTLP_ENDPOINT.',
  }),
  OTEL_METRIC_EXPORT_INTERVAL: env.int({
    default: 60_000,
    min: 1,
    unit: 'milliseconds',
    description: 'How often metrics are pushed to the OTLP collector.',
  }),
  OTEL_METRIC_EXPORT_TIMEOUT: env.int({
    default: 30_000,
    min: 1,
    unit: 'milliseconds',
    description: 'How long one metrics push may take (at most the interval).',
  }),
};
