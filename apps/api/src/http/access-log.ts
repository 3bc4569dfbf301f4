import { randomUUID } from 'node:crypto';
import { createLogger } from '@wagate/telemetry';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { ApiEnv } from './auth.js';

const log = createLogger('api:access');

/** A caller's `x-request-id` is kept when it is a plain token; anything else gets a fresh id. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * One access-log line per HTTP request, after it is answered: method, route template, status,
 * duration, the account (once the API key named it), the request id and the trace id (the
 * logger adds it from the request's span). The request id is echoed as `x-request-id`, so a
 * client's support ticket leads to the line.
 */
export function accessLog(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const started = performance.now();
    const offered = c.req.header('x-request-id');
    const requestId = offered && REQUEST_ID.test(offered) ? offered : randomUUID();
    // Set before the response exists, so every way of answering (c.json, c.body, the error
    // handler) builds it in; set afterwards, Hono would copy the finished response to add it
    // (and @hono/node-server then stream the copy's body instead of writing it at once).
    c.header('x-request-id', requestId);
    try {
      await next();
    } finally {
      log.info(
        {
          method: c.req.method,
          route: routePath(c),
          status: c.res.status,
          duration_ms: Math.round((performance.now() - started) * 10) / 10,
          account_id: c.get('principal')?.accountId,
          request_id: requestId,
        },
        'request',
      );
    }
  };
}
