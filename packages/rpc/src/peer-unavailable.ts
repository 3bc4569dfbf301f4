import { ClientError, ServerError, Status } from 'nice-grpc';

/**
 * Whether an error means a peer could not answer in time — down, restarting, unreachable or too
 * slow — so the same call can simply be retried: gRPC UNAVAILABLE or DEADLINE_EXCEEDED, a call
 * aborted by our own deadline (AbortError / TimeoutError), or a socket-level failure. The one
 * place that decides it: the api answers such errors 503 with `Retry-After`, and every gRPC
 * server passes them on as `service.unavailable` (see `domainErrorMiddleware`).
 */
export function isPeerUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return true;
  if (error instanceof ClientError || error instanceof ServerError) {
    return error.code === Status.UNAVAILABLE || error.code === Status.DEADLINE_EXCEEDED;
  }
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && CONNECTION_ERROR_CODES.has(code);
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
