import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

const root = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  // Every line carries the active trace, so a log search by trace id finds one message's story.
  mixin() {
    const span = trace.getActiveSpan();
    if (!span) return {};
    const { traceId, spanId } = span.spanContext();
    return { trace_id: traceId, span_id: spanId };
  },
});

/** A named JSON logger, e.g. `createLogger('dispatch:webhooks')`. */
export function createLogger(name: string): Logger {
  return root.child({ logger: name });
}

export type { Logger };
