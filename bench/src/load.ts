/** The load generator: autocannon as a library, in the runner's process, against a target's URL. */
import autocannon from 'autocannon';
import { checkAllAccepted, nextRequestNumber, SEND_PATH, sendBody } from './bodies.js';

export interface LoadCase {
  url: string;
  apiKey: string;
  /** Messages per request body. */
  messages: number;
  /** Send this approved template instead of plain text. */
  templateId?: string;
  connections: number;
  seconds: number;
  /** Requests per second offered (a rate-limited run); unset: as fast as the target answers. */
  requestsPerSecond?: number;
}

export interface LoadResult {
  connections: number;
  /** Measured wall time in seconds (autocannon's, slightly above the requested duration). */
  seconds: number;
  requests2xx: number;
  non2xx: number;
  /** Socket errors, including timeouts. */
  errors: number;
  timeouts: number;
  /** Status code → count, to explain any non-2xx. */
  statusCodes: Record<string, number>;
  /** Latency percentiles of the 2xx responses. */
  latencyP50Ms: number;
  latencyP99Ms: number;
}

/** How long past its duration a run may take before we give up on it. */
const RUN_SLACK_MS = 15_000;

function requestOf(target: LoadCase) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target.apiKey) headers.authorization = `Key ${target.apiKey}`;
  return {
    url: `${target.url}${SEND_PATH}`,
    headers,
    body: sendBody(target.messages, target.templateId, nextRequestNumber()),
  };
}

/**
 * How long one lone request may wait. It queues behind whatever a previous run left in flight
 * (autocannon drops its sockets at the end, but the server still finishes those requests), so
 * on a slow target this is the time to work off a whole abandoned run.
 */
const VERIFY_TIMEOUT_MS = 45_000;

/**
 * One request, outside any timed window: the figures only mean something if the target
 * really accepts every message of this body. Throws with the reason when it does not.
 *
 * Its answer is also a barrier: it comes back once the target has (roughly) worked off the
 * requests a previous run abandoned, which would otherwise eat into the next timed window.
 */
export async function verifyAccepted(target: LoadCase): Promise<void> {
  const { url, headers, body } = requestOf(target);
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`verification request got HTTP ${response.status}: ${text.slice(0, 500)}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`verification response is not JSON: ${text.slice(0, 500)}`);
  }
  const problem = checkAllAccepted(json, target.messages);
  if (problem) throw new Error(`verification failed: ${problem}`);
}

/** Keeps `connections` requests in flight for `seconds` and summarises what came back. */
export async function runLoad(target: LoadCase): Promise<LoadResult> {
  const instance = autocannon({
    ...requestOf(target),
    method: 'POST',
    connections: target.connections,
    duration: target.seconds,
    // A request still unanswered when the window closes cannot count anyway; timing it out
    // earlier would only make autocannon send another one and pile more work on a slow target.
    timeout: target.seconds + 1,
    // Latency of accepted sends only: a fast 4xx/5xx would otherwise flatter the percentiles.
    excludeErrorStats: true,
    ...(target.requestsPerSecond ? { overallRate: target.requestsPerSecond } : {}),
    // A fresh body per request (same size and shape), so no message repeats an earlier one.
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: sendBody(target.messages, target.templateId, nextRequestNumber()),
        }),
      },
    ],
  });
  let timer: NodeJS.Timeout | undefined;
  const overdue = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        instance.stop();
        reject(new Error(`load run did not finish within ${target.seconds} s + ${RUN_SLACK_MS / 1000} s`));
      },
      target.seconds * 1000 + RUN_SLACK_MS,
    );
  });
  try {
    const result = await Promise.race([instance, overdue]);
    return {
      connections: target.connections,
      seconds: result.duration,
      requests2xx: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      statusCodes: Object.fromEntries(
        Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count]),
      ),
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
    };
  } finally {
    clearTimeout(timer);
  }
}
