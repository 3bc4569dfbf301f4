import type { ErrorKey } from './catalogue.js';

/** One thing wrong: its catalogue key and, when it concerns one field, the field (`messages[0].to`, `deviceId`). */
export interface Reason {
  key: ErrorKey;
  ref?: string;
}

/**
 * The one error wagate's code throws for a failure it means: a key of the catalogue and a
 * message a person can act on. Services throw it and `@wagate/rpc` answers it with the key's
 * gRPC status; the api answers it with the key's HTTP status as
 * `{"code":"REJECTED","reasons":[{"key","ref"}],"description"}`. Anything else thrown is a bug
 * (gRPC UNKNOWN, HTTP 500 `unknown`).
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  /** Every (key, ref) the failure concerns; the first is `key`. */
  readonly reasons: readonly [Reason, ...Reason[]];

  readonly key: ErrorKey;

  constructor(key: ErrorKey, message: string, options: { ref?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.key = key;
    this.reasons = [options.ref === undefined ? { key } : { key, ref: options.ref }];
  }

  /** A failure with several reasons (a form with two bad fields), all of one HTTP status. */
  static withReasons(reasons: readonly Reason[], message: string): DomainError {
    const [first, ...rest] = reasons;
    if (!first) throw new TypeError('a DomainError needs at least one reason');
    return Object.assign(new DomainError(first.key, message), { reasons: [first, ...rest] });
  }
}
