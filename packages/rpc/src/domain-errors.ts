import { DomainError, ErrorKey, errorCatalogue, isErrorKey } from '@wagate/errors';
import {
  ClientError,
  type ClientMiddleware,
  type Metadata,
  type ServerMiddleware,
  ServerError,
  Status,
} from 'nice-grpc';
import { isPeerUnavailable } from './peer-unavailable.js';

/**
 * The one mapping between domain errors and gRPC. A server answers a thrown `DomainError` with
 * its key's gRPC status (from the catalogue in `@wagate/errors`), its message as the status
 * details and its key in this trailer; a client reads the trailer back, so the caller gets the
 * same domain error again (`domainErrorOf`).
 */
export const ERROR_KEY_TRAILER = 'wagate-error-key';

/** The gRPC status a key is answered with. */
export function grpcStatusOf(key: ErrorKey): Status {
  return Status[errorCatalogue[key].grpcStatus];
}

/**
 * Every server's last middleware (`startGrpcServer` installs it): a `DomainError` becomes its
 * status with the key in the trailer; a failure because a peer was unavailable becomes
 * `service.unavailable` (UNAVAILABLE) instead of nice-grpc's UNKNOWN, so a fleet restart reaches
 * the api, two hops away, as "retry shortly" (503) rather than an unknown error (500). Anything
 * else passes unchanged: nice-grpc answers it UNKNOWN and the metrics middleware logs it.
 */
export function domainErrorMiddleware(): ServerMiddleware {
  return async function* answerDomainErrors(call, context) {
    try {
      return yield* call.next(call.request, context);
    } catch (error) {
      if (error instanceof ServerError) throw error;
      const domainError =
        error instanceof DomainError
          ? error
          : isPeerUnavailable(error)
            ? new DomainError(
                ErrorKey.Unavailable,
                `a peer of this service is unavailable: ${(error as Error).message}`,
              )
            : undefined;
      if (!domainError) throw error;
      context.trailer.set(ERROR_KEY_TRAILER, domainError.key);
      throw new ServerError(grpcStatusOf(domainError.key), domainError.message);
    }
  };
}

/** A peer's answer that carried a catalogue key: still a `ClientError` (its status is on the wire), with the key. */
class KeyedClientError extends ClientError {
  constructor(
    error: ClientError,
    readonly key: ErrorKey,
  ) {
    super(error.path, error.code, error.details);
  }
}

/** Every client's middleware (`grpcClient`, `agentPlaneClient`): keeps the key a peer's error carried. */
export function errorKeyClientMiddleware(): ClientMiddleware {
  return async function* readErrorKey(call, options) {
    let key: unknown;
    const { onTrailer } = options;
    try {
      return yield* call.next(call.request, {
        ...options,
        onTrailer(trailer: Metadata) {
          key = trailer.get(ERROR_KEY_TRAILER);
          onTrailer?.(trailer);
        },
      });
    } catch (error) {
      if (error instanceof ClientError && isErrorKey(key)) throw new KeyedClientError(error, key);
      throw error;
    }
  };
}

/**
 * The domain error a failure stands for, where a caller needs the key: a `DomainError` as it
 * is, a peer's keyed answer as the same `DomainError` again (its message the status details,
 * the `ClientError` its cause). `undefined` for anything else — a bug, or a transport failure
 * (see `isPeerUnavailable`).
 */
export function domainErrorOf(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (error instanceof KeyedClientError) return new DomainError(error.key, error.details, { cause: error });
  return undefined;
}
