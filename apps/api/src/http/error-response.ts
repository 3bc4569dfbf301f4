import { DomainError, ErrorKey, errorDefinition } from '@wagate/errors';
import { domainErrorOf, isPeerUnavailable } from '@wagate/rpc';
import { createLogger } from '@wagate/telemetry';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';

const log = createLogger('api:errors');

/**
 * Every failure of a whole request has one shape, the same as a rejected message in a send
 * response: `{"code":"REJECTED","reasons":[{"key","ref"}],"description"}`, with the HTTP status
 * of its key in the catalogue (and `Retry-After` where the catalogue gives one).
 */
export function errorResponse(c: Context, error: DomainError): Response {
  const { httpStatus, retryAfterSeconds } = errorDefinition(error.key);
  if (retryAfterSeconds !== undefined) c.header('retry-after', String(retryAfterSeconds));
  return c.json({ code: 'REJECTED', reasons: error.reasons, description: error.message }, httpStatus);
}

/** The app's onError: domain errors keep their key; anything else is logged and answered in shape. */
export function handleError(error: Error, c: Context): Response {
  return errorResponse(c, toDomainError(error, c));
}

function toDomainError(error: Error, c: Context): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof HTTPException && error.status < 500) return fromHttpException(error);
  // Before a peer's keyed answer: a peer passing on "unavailable" names its own peer, which the
  // tenant has no use for.
  if (isPeerUnavailable(error)) {
    log.warn({ err: error, path: c.req.path }, 'a service the request needs is unavailable');
    return new DomainError(ErrorKey.Unavailable, 'a service is briefly unavailable; retry the request');
  }
  const fromPeer = domainErrorOf(error);
  if (fromPeer) return fromPeer;
  log.error({ err: error, path: c.req.path }, 'request failed');
  return new DomainError(ErrorKey.Unknown, 'an internal error occurred; the request may be retried');
}

/** Hono's own refusals (its body validator, mostly) in the contract's terms. */
function fromHttpException(error: HTTPException): DomainError {
  if (error.status === 415) {
    return new DomainError(
      ErrorKey.UnsupportedMediaType,
      'send the body as JSON with Content-Type: application/json',
    );
  }
  if (error.status === 413) return new DomainError(ErrorKey.PayloadTooLarge, error.message);
  if (/malformed json/i.test(error.message)) {
    return new DomainError(ErrorKey.MalformedJson, 'the body is not valid JSON');
  }
  return new DomainError(ErrorKey.Invalid, error.message || 'the request is not valid');
}
