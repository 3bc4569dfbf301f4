import { contextFromHeaders, inSpan, SpanKind } from '@wagate/telemetry';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { apiMetrics } from '../metrics.js';

/**
 * One server span per request, continuing a caller's `traceparent` when it sends one, and its
 * duration in `http.server.request.duration`.
 */
export function traceRequests(): MiddlewareHandler {
  return (c, next) =>
    inSpan(
      `api.${c.req.method} ${c.req.path}`,
      {
        kind: SpanKind.SERVER,
        parent: contextFromHeaders({
          traceparent: c.req.header('traceparent'),
          tracestate: c.req.header('tracestate'),
        }),
        attributes: { 'http.request.method': c.req.method, 'url.path': c.req.path },
      },
      async (span) => {
        const started = performance.now();
        await next();
        const route = routePath(c);
        span.updateName(`api.${c.req.method} ${route}`);
        span.setAttribute('http.response.status_code', c.res.status);
        // The route template, never the raw path: ids in paths would make a series per resource.
        apiMetrics().requestDuration.record((performance.now() - started) / 1000, {
          'http.request.method': c.req.method,
          'http.route': route,
          'http.response.status_code': c.res.status,
        });
      },
    );
}
