/**
 * Every error key wagate answers with, in one place: the public contract's request-time keys
 * (Devino's `reasons[].key`, `ref` a JSON path such as `messages[0].to`) and wagate's own, in the
 * same field. For each key: the HTTP status of a request that fails with it, the gRPC status a
 * service answers it with (`@wagate/rpc` maps it, carrying the key in trailing metadata), what it
 * means, and where the public API answers with it (the OpenAPI document prints these rows as its
 * error table, and tests hold each row).
 *
 * A new key is one entry here: services throw it as `new DomainError(ErrorKey.X, message)`, the
 * api answers it with `httpStatus`, and the document lists it. Nothing else to edit.
 */

/** The statuses a failed request can have (the api documents a response for each). */
export const httpErrorStatuses = [400, 401, 403, 404, 409, 413, 415, 500, 503] as const;
export type HttpErrorStatus = (typeof httpErrorStatuses)[number];

/**
 * The gRPC status codes a key can be answered with, by name (`@wagate/rpc` turns the name into
 * the code): domain code names no gRPC type.
 */
export type GrpcStatusName =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAUTHENTICATED'
  | 'ABORTED'
  | 'UNAVAILABLE'
  | 'UNKNOWN';

/** One place the public API answers with a key: in one message's result of a send, or as a whole request's status. */
export interface ErrorRow {
  where: 'message' | 'request';
  /** The `ref`s it comes with (`messages[i].to`); none when it concerns no one field. */
  refs: readonly string[];
  meaning: string;
}

export interface ErrorDefinition {
  /**
   * The status of a request that fails with this key. A key that only ever rejects one message
   * of a send (its rows are all `message`: the send answers 200) names the status it would have.
   */
  httpStatus: HttpErrorStatus;
  grpcStatus: GrpcStatusName;
  meaning: string;
  /** Sent as `Retry-After` (seconds): the same request may succeed shortly. */
  retryAfterSeconds?: number;
  rows: readonly ErrorRow[];
}

const perMessage = (refs: readonly string[], meaning: string): ErrorRow => ({
  where: 'message',
  refs,
  meaning,
});
const perRequest = (refs: readonly string[], meaning: string): ErrorRow => ({
  where: 'request',
  refs,
  meaning,
});

export const errorCatalogue = {
  // The contract's keys.
  'billing.error': {
    httpStatus: 409,
    grpcStatus: 'RESOURCE_EXHAUSTED',
    meaning: 'the paying account cannot pay for it',
    rows: [
      perMessage([], 'payment is required: the account cannot pay for this message'),
      perRequest(
        [],
        'a credit transfer larger than the paying account has available (balance less held funds; wagate)',
      ),
    ],
  },
  forbidden: {
    httpStatus: 403,
    grpcStatus: 'PERMISSION_DENIED',
    meaning: 'the caller may not do this',
    rows: [
      perRequest(
        [],
        'sending is forbidden: the API key lacks the scope the route needs (`send`, `read` or `manage`), its account (or one above it) is suspended, or the change is one only a parent account may make',
      ),
      perMessage(
        [],
        'sending is forbidden: the account, or an account above it, was suspended while the request ran (wagate)',
      ),
    ],
  },
  unknown: {
    httpStatus: 500,
    grpcStatus: 'UNKNOWN',
    meaning: 'an unexpected failure inside wagate',
    rows: [perRequest([], 'unknown error; the request may be retried (with the same Idempotency-Key)')],
  },
  invalid: {
    httpStatus: 400,
    grpcStatus: 'INVALID_ARGUMENT',
    meaning: 'a value is not what the field or the route takes',
    rows: [
      perMessage(['messages[i].to'], 'wrong phone number'),
      perMessage(['messages[i].validity'], 'wrong validity'),
      perMessage(['messages[i].callbackUrl'], 'wrong URL'),
      perMessage(['messages[i].contentUrl'], 'wrong content URL'),
      perMessage(['messages[i].contentType'], 'wrong content type'),
      perMessage(['messages[i].from'], 'wrong sender'),
      perMessage(['messages[i].languageCode'], 'wrong language code'),
      perMessage(
        [
          'messages[i].text',
          'messages[i].contentName',
          'messages[i].callbackData',
          'messages[i].templateId',
          'messages[i].templateParams',
          'messages[i]',
        ],
        'wrong value of another field, or a message that is not a JSON object (wagate)',
      ),
      perRequest(
        ['', 'Idempotency-Key', '<query or body field>'],
        'the body, a query parameter or a header is not what the route takes (also: a NUL character in any input)',
      ),
    ],
  },
  'length.too.long': {
    httpStatus: 400,
    grpcStatus: 'INVALID_ARGUMENT',
    meaning: 'a value is longer than its field takes',
    rows: [
      perMessage(['messages[i].to'], 'phone number too long'),
      perMessage(['messages[i].text'], 'text too long'),
      perMessage(['messages[i].languageCode'], 'language code too long'),
      perMessage(['messages[i].contentName'], 'content name too long (wagate)'),
    ],
  },
  'length.too.short': {
    httpStatus: 400,
    grpcStatus: 'INVALID_ARGUMENT',
    meaning: 'a value is shorter than its field takes',
    rows: [
      perMessage(['messages[i].contentName'], 'content name too short'),
      perMessage(['messages[i].languageCode'], 'language code too short'),
    ],
  },
  'must.be.not.null': {
    httpStatus: 400,
    grpcStatus: 'INVALID_ARGUMENT',
    meaning: 'a required value is missing',
    rows: [
      perMessage(['messages[i].to'], 'recipient missing'),
      perRequest(['messages'], 'the messages array is missing or empty'),
      perMessage(['messages[i].from'], 'sender missing'),
      perMessage(['messages[i]'], 'neither text, content nor template given (or the message is null)'),
    ],
  },
  'not.available': {
    httpStatus: 400,
    grpcStatus: 'INVALID_ARGUMENT',
    meaning: 'the named resource is not available to this account',
    rows: [perMessage(['messages[i].from'], 'the sender is not available to this account')],
  },
  'too.many.messages': {
    httpStatus: 400,
    grpcStatus: 'INVALID_ARGUMENT',
    meaning: 'a batch is larger than the limit',
    rows: [perRequest(['messages'], 'the messages array is too large')],
  },
  // wagate's own keys, in the same field.
  'quota.exceeded': {
    httpStatus: 409,
    grpcStatus: 'RESOURCE_EXHAUSTED',
    meaning: "an account's (or an ancestor's) daily or monthly quota is used up",
    rows: [
      perMessage(
        [],
        'the daily or monthly message quota of the account, or of an account above it, is used up (UTC day / month; wagate)',
      ),
    ],
  },
  conflict: {
    httpStatus: 409,
    grpcStatus: 'FAILED_PRECONDITION',
    meaning: "the resource's state does not allow the change",
    rows: [
      perRequest(
        [],
        "the resource's state does not allow the change: a closed account, a child still open, a revoked key (wagate)",
      ),
    ],
  },
  'malformed.json': {
    httpStatus: 400,
    grpcStatus: 'INVALID_ARGUMENT',
    meaning: 'the body is not valid JSON',
    rows: [perRequest([], 'the body is not valid JSON (wagate)')],
  },
  unauthorized: {
    httpStatus: 401,
    grpcStatus: 'UNAUTHENTICATED',
    meaning: 'the caller could not be identified',
    rows: [perRequest([], 'no API key, or an unknown or revoked one (wagate)')],
  },
  'not.found': {
    httpStatus: 404,
    grpcStatus: 'NOT_FOUND',
    meaning: "no such resource (another account's is answered the same)",
    rows: [perRequest(['<path parameter>'], 'no such route, or no such resource in this account (wagate)')],
  },
  'idempotency.conflict': {
    httpStatus: 409,
    grpcStatus: 'FAILED_PRECONDITION',
    meaning: 'an Idempotency-Key was used with a different body',
    rows: [perRequest(['Idempotency-Key'], 'the Idempotency-Key was used with a different body (wagate)')],
  },
  'idempotency.in.progress': {
    httpStatus: 409,
    grpcStatus: 'ABORTED',
    meaning: 'the first request with an Idempotency-Key is still running',
    retryAfterSeconds: 1,
    rows: [
      perRequest(
        ['Idempotency-Key'],
        'a request with this Idempotency-Key is still being processed; retry shortly (wagate)',
      ),
    ],
  },
  'payload.too.large': {
    httpStatus: 413,
    grpcStatus: 'INVALID_ARGUMENT',
    meaning: 'the body is larger than the limit',
    rows: [perRequest([], 'the body is larger than the limit (wagate)')],
  },
  'unsupported.media.type': {
    httpStatus: 415,
    grpcStatus: 'INVALID_ARGUMENT',
    meaning: 'the body is not JSON',
    rows: [perRequest([], 'the body is not sent as application/json (wagate)')],
  },
  'service.unavailable': {
    httpStatus: 503,
    grpcStatus: 'UNAVAILABLE',
    meaning: 'a service the request needs is briefly unavailable',
    retryAfterSeconds: 1,
    rows: [
      perRequest([], 'a service the request needs is briefly unavailable; retry after Retry-After (wagate)'),
    ],
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorKey = keyof typeof errorCatalogue;

/** The keys by name, for code: `ErrorKey.NotFound` reads better than a string. */
export const ErrorKey = {
  BillingError: 'billing.error',
  Forbidden: 'forbidden',
  Unknown: 'unknown',
  Invalid: 'invalid',
  LengthTooLong: 'length.too.long',
  LengthTooShort: 'length.too.short',
  MustBeNotNull: 'must.be.not.null',
  NotAvailable: 'not.available',
  TooManyMessages: 'too.many.messages',
  QuotaExceeded: 'quota.exceeded',
  Conflict: 'conflict',
  MalformedJson: 'malformed.json',
  Unauthorized: 'unauthorized',
  NotFound: 'not.found',
  IdempotencyConflict: 'idempotency.conflict',
  IdempotencyInProgress: 'idempotency.in.progress',
  PayloadTooLarge: 'payload.too.large',
  UnsupportedMediaType: 'unsupported.media.type',
  Unavailable: 'service.unavailable',
} as const satisfies Record<string, ErrorKey>;

/** Fails to compile when a key of the catalogue has no name above. */
const everyKeyNamed: Record<Exclude<ErrorKey, (typeof ErrorKey)[keyof typeof ErrorKey]>, never> = {};
void everyKeyNamed;

/** Every key, in catalogue order (the `Reason.key` enum of the OpenAPI document). */
export const errorKeys = Object.keys(errorCatalogue) as ErrorKey[];

export function isErrorKey(value: unknown): value is ErrorKey {
  return typeof value === 'string' && Object.hasOwn(errorCatalogue, value);
}

export function errorDefinition(key: ErrorKey): ErrorDefinition {
  return errorCatalogue[key];
}
