/**
 * Request-time rejection keys of the public contract (Devino's `reasons[].key`), with the
 * HTTP status a whole request gets when the failure concerns the request rather than one
 * message. `ref` is a JSON path such as `messages[0].to`.
 */
export const RequestErrorKey = {
  BillingError: 'billing.error',
  Forbidden: 'forbidden',
  Unknown: 'unknown',
  Invalid: 'invalid',
  LengthTooLong: 'length.too.long',
  LengthTooShort: 'length.too.short',
  MustBeNotNull: 'must.be.not.null',
  NotAvailable: 'not.available',
  TooManyMessages: 'too.many.messages',
  // wagate's own per-message key: an account's (or an ancestor's) daily or monthly quota is used up.
  QuotaExceeded: 'quota.exceeded',
  // Transport-level keys of wagate's own, in the same shape.
  Unauthorized: 'unauthorized',
  MalformedJson: 'malformed.json',
  UnsupportedMediaType: 'unsupported.media.type',
  PayloadTooLarge: 'payload.too.large',
  NotFound: 'not.found',
  // The resource's state does not allow the change (a closed account, a child still open).
  Conflict: 'conflict',
  Unavailable: 'service.unavailable',
} as const;
export type RequestErrorKey = (typeof RequestErrorKey)[keyof typeof RequestErrorKey];

export interface Reason {
  key: RequestErrorKey;
  ref?: string;
}

/** A rejection of one message, or of a whole request, in the contract's terms. */
export interface Rejection {
  reasons: Reason[];
  description: string;
}

export function rejection(key: RequestErrorKey, ref: string | undefined, description: string): Rejection {
  return { reasons: [ref === undefined ? { key } : { key, ref }], description };
}

/** The error a whole request fails with: the edge turns it into an HTTP response. */
export class RequestError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 413 | 415 | 500 | 503,
    readonly rejection: Rejection,
  ) {
    super(rejection.description);
    this.name = 'RequestError';
  }

  static of(
    status: RequestError['status'],
    key: RequestErrorKey,
    description: string,
    ref?: string,
  ): RequestError {
    return new RequestError(status, rejection(key, ref, description));
  }
}
