import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';
import { accountIdOf } from './tenant.js';

const root = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  // Every line carries the active trace, so a log search by trace id finds one message's story,
  // and the account the work is for (tenant.ts), so a search by account finds a tenant's.
  mixin() {
    const accountId = accountIdOf();
    const span = trace.getActiveSpan();
    if (!span) return accountId ? { account_id: accountId } : {};
    const { traceId, spanId } = span.spanContext();
    return accountId ? { trace_id: traceId, span_id: spanId, account_id: accountId } : { trace_id: traceId, span_id: spanId };
  },
});

/** A named JSON logger, e.g. `createLogger('dispatch:webhooks')`. */
export function createLogger(name: string): Logger {
  return root.child({ logger: name });
}

export type { Logger };
