import { randomUUID } from 'node:crypto';

/** Methods that change nothing or the same thing again: safe to send twice. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
/** Answers worth another attempt: the request timed out, was throttled, or the server was briefly unable. */
const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const MAX_DELAY_MS = 30_000;

export interface RetryOptions {
  /** Attempts after the first (default 3); 0 sends each request once. */
  retries?: number;
  /** The first wait, doubled each attempt with ±20 % jitter (default 500 ms); `Retry-After` wins. */
  retryDelayMs?: number;
}

/**
 * A fetch that makes retries safe and does them: a send call (`POST /whatsapp/messages`)
 * without an `Idempotency-Key` gets one it generates, kept for every attempt, so a retry after
 * a lost answer is replayed by the server instead of sending twice. Safe methods and requests
 * with an Idempotency-Key are retried after a network error, 408, 429, 5xx (but not 501), and a
 * 409 that says "still in progress" (it carries `Retry-After`); other POSTs are sent once.
 */
export function retryingFetch(
  base: (request: Request) => Promise<Response>,
  options: RetryOptions = {},
): (request: Request) => Promise<Response> {
  const retries = options.retries ?? 3;
  const firstDelayMs = options.retryDelayMs ?? 500;
  return async (request) => {
    const headers = new Headers(request.headers);
    if (
      request.method === 'POST' &&
      new URL(request.url).pathname.endsWith('/whatsapp/messages') &&
      !headers.has('idempotency-key')
    ) {
      headers.set('idempotency-key', randomUUID());
    }
    const retryable = SAFE_METHODS.has(request.method) || headers.has('idempotency-key');
    const body = request.body ? await request.arrayBuffer() : undefined;
    for (let attempt = 0; ; attempt++) {
      const attemptRequest = new Request(request.url, {
        method: request.method,
        headers,
        signal: request.signal,
        ...(body !== undefined && { body }),
      });
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await base(attemptRequest);
      } catch (error) {
        if (request.signal.aborted) throw error;
        failure = error;
      }
      const worthRetrying =
        failure !== undefined ||
        RETRY_STATUSES.has(response!.status) ||
        (response!.status === 409 && response!.headers.has('retry-after'));
      if (!retryable || attempt >= retries || !worthRetrying) {
        if (failure !== undefined) throw failure;
        return response!;
      }
      await response?.body?.cancel();
      await sleep(waitBefore(attempt, firstDelayMs, response?.headers.get('retry-after') ?? null));
    }
  };
}

function waitBefore(attempt: number, firstDelayMs: number, retryAfter: string | null): number {
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
    if (Number.isFinite(ms)) return Math.min(MAX_DELAY_MS, Math.max(0, ms));
  }
  const jitter = 0.8 + Math.random() * 0.4;
  return Math.min(MAX_DELAY_MS, firstDelayMs * 2 ** attempt * jitter);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
