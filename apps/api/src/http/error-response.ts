import { RequestError, RequestErrorKey } from '@wagate/errors';
import { createLogger } from '@wagate/telemetry';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ClientError, Status } from 'nice-grpc';

const log = createLogger('api:errors');

/**
 * Every failure of a whole request has one shape, the same as a rejected message in a send
 * response: `{"code":"REJECTED","reasons":[{"key","ref"}],"description"}`.
 */
export function errorResponse(c: Context, error: RequestError): Response {
  return c.json({ code: 'REJECTED', ...error.rejection }, error.status);
}

/** The app's onError: known errors keep their status; anything else is logged and answered in shape. */
export function handleError(error: Error, c: Context): Response {
  if (error instanceof RequestError) return errorResponse(c, error);
  if (error instanceof HTTPException && error.status < 500) {
    return errorResponse(c, RequestError.of(400, RequestErrorKey.Invalid, error.message));
  }
  if (isPeerUnavailable(error)) {
    log.warn({ err: error, path: c.req.path }, 'a service the request needs is unavailable');
    c.header('retry-after', '1');
    return errorResponse(
      c,
      RequestError.of(503, RequestErrorKey.Unavailable, 'a service is briefly unavailable; retry the request'),
    );
  }
  log.error({ err: error, path: c.req.path }, 'request failed');
  return errorResponse(
    c,
    RequestError.of(500, RequestErrorKey.Unknown, 'an internal error occurred; the request may be retried'),
  );
}

/** A peer that is down or too slow: the request can be retried as it is. */
function isPeerUnavailable(error: Error): boolean {
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return true;
  return error instanceof ClientError && [Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED].includes(error.code);
}
