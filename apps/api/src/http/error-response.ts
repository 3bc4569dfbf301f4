import { RequestError, RequestErrorKey } from '@wagate/errors';
import { createLogger } from '@wagate/telemetry';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

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
  log.error({ err: error, path: c.req.path }, 'request failed');
  return errorResponse(
    c,
    RequestError.of(500, RequestErrorKey.Unknown, 'an internal error occurred; the request may be retried'),
  );
}
