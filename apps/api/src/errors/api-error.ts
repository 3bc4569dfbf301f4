import type { RequestError } from '@wagate/errors';
import type { ErrorKey } from './catalogue.js';

export interface ApiReason {
  key: ErrorKey;
  ref?: string;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 500 | 503;

/**
 * A failure of a whole request, answered as `{"code":"REJECTED","reasons":[…],"description"}`
 * with `status`. The shared `RequestError` has no 409 (idempotency), so the edge has its own.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly reasons: ApiReason[],
    readonly description: string,
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
    this.name = 'ApiError';
  }

  static of(status: ErrorStatus, key: ErrorKey, description: string, ref?: string): ApiError {
    return new ApiError(status, [ref === undefined ? { key } : { key, ref }], description);
  }

  static from(error: RequestError): ApiError {
    return new ApiError(error.status, error.rejection.reasons, error.rejection.description);
  }
}
