// autocannon ships no types and @types/autocannon is not a dependency: declare only what
// load.ts uses (autocannon 9's promise API and its aggregated result).
declare module 'autocannon' {
  interface Options {
    url: string;
    method?: 'POST' | 'GET';
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    duration?: number;
    /** Seconds before a request counts as a timeout. */
    timeout?: number;
    /** Leave non-2xx responses out of the latency histogram. */
    excludeErrorStats?: boolean;
    /** Requests per second over all connections (default: as fast as the target answers). */
    overallRate?: number;
    /** Per-request hooks; `setupRequest` may replace the body of each request it sends. */
    requests?: Array<{ setupRequest?: (request: { body?: string }) => { body?: string } }>;
  }
  interface Histogram {
    average: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
  }
  interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
    latency: Histogram;
    requests: Histogram & { sent: number };
  }
  interface Instance extends PromiseLike<Result> {
    stop(): void;
  }
  function autocannon(options: Options): Instance;
  export default autocannon;
}
