import { contextFromHeaders, inSpan, SpanKind } from '@wagate/telemetry';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

/** One server span per request, continuing a caller's `traceparent` when it sends one. */
export function traceRequests(): MiddlewareHandler {
  return (c, next) =>
    inSpan(
      `api.${c.req.method} ${c.req.path}`,
      {
        kind: SpanKind.SERVER,
        parent: contextFromHeaders({ traceparent: c.req.header('traceparent'), tracestate: c.req.header('tracestate') }),
        attributes: { 'http.request.method': c.req.method, 'url.path': c.req.path },
      },
      async (span) => {
        await next();
        span.updateName(`api.${c.req.method} ${routePath(c)}`);
        span.setAttribute('http.response.status_code', c.res.status);
      },
    );
}
