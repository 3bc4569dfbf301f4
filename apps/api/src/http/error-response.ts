import { RequestError, RequestErrorKey } from '@wagate/errors';
import { isPeerUnavailable } from '@wagate/rpc';
import { createLogger } from '@wagate/telemetry';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ClientError, Status } from 'nice-grpc';
import { ApiError } from '../errors/api-error.js';

const log = createLogger('api:errors');

/**
 * Every failure of a whole request has one shape, the same as a rejected message in a send
 * response: `{"code":"REJECTED","reasons":[{"key","ref"}],"description"}`.
 */
export function errorResponse(c: Context, error: ApiError): Response {
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.json({ code: 'REJECTED', reasons: error.reasons, description: error.description }, error.status);
}

/** The app's onError: known errors keep their status; anything else is logged and answered in shape. */
export function handleError(error: Error, c: Context): Response {
  return errorResponse(c, toApiError(error, c));
}

function toApiError(error: Error, c: Context): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof RequestError) return ApiError.from(error);
  if (error instanceof HTTPException && error.status < 500) return fromHttpException(error);
  if (error instanceof ClientError && error.code === Status.INVALID_ARGUMENT) {
    return ApiError.of(400, RequestErrorKey.Invalid, error.details);
  }
  if (error instanceof ClientError && error.code === Status.NOT_FOUND) {
    return ApiError.of(404, RequestErrorKey.NotFound, error.details);
  }
  if (error instanceof ClientError && error.code === Status.PERMISSION_DENIED) {
    return ApiError.of(403, RequestErrorKey.Forbidden, error.details);
  }
  if (error instanceof ClientError && error.code === Status.FAILED_PRECONDITION) {
    return ApiError.of(409, RequestErrorKey.Conflict, error.details);
  }
  if (error instanceof ClientError && error.code === Status.RESOURCE_EXHAUSTED) {
    return ApiError.of(409, RequestErrorKey.BillingError, error.details);
  }
  if (isPeerUnavailable(error)) {
    log.warn({ err: error, path: c.req.path }, 'a service the request needs is unavailable');
    return new ApiError(
      503,
      [{ key: RequestErrorKey.Unavailable }],
      'a service is briefly unavailable; retry the request',
      { 'retry-after': '1' },
    );
  }
  log.error({ err: error, path: c.req.path }, 'request failed');
  return ApiError.of(500, RequestErrorKey.Unknown, 'an internal error occurred; the request may be retried');
}

/** Hono's own refusals (its body validator, mostly) in the contract's terms. */
function fromHttpException(error: HTTPException): ApiError {
  if (error.status === 415) {
    return ApiError.of(
      415,
      RequestErrorKey.UnsupportedMediaType,
      'send the body as JSON with Content-Type: application/json',
    );
  }
  if (error.status === 413) return ApiError.of(413, RequestErrorKey.PayloadTooLarge, error.message);
  if (/malformed json/i.test(error.message)) {
    return ApiError.of(400, RequestErrorKey.MalformedJson, 'the body is not valid JSON');
  }
  return ApiError.of(400, RequestErrorKey.Invalid, error.message || 'the request is not valid');
}
