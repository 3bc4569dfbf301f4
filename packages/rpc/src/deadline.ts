import type { CallOptions, ClientMiddleware } from 'nice-grpc-common';

/**
 * Unary calls get a time limit, so a stuck peer never hangs a request: the call is aborted
 * after `timeoutMs` (an AbortError reaches the caller). Streams are left alone.
 */
export function deadlineMiddleware(timeoutMs: number): ClientMiddleware {
  return async function* deadline(call, options: CallOptions) {
    if (call.requestStream || call.responseStream) return yield* call.next(call.request, options);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    return yield* call.next(call.request, { ...options, signal });
  };
}
