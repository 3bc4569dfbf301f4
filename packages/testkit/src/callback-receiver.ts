import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  /** The body exactly as sent, so tests can check how 64-bit ids are written. */
  rawBody: string;
  body: unknown;
  at: number;
}

export interface CallbackReceiver {
  /** Base URL on 127.0.0.1; any path is accepted. */
  readonly url: string;
  readonly received: ReceivedCallback[];
  /** Resolves once `count` callbacks arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedCallback[]>;
  close(): Promise<void>;
}

/** What the receiver answers to a POST: 204 unless a test makes it fail. */
export type CallbackAnswer = () => { status: number; headers?: Record<string, string> };

/** A real HTTP endpoint on loopback that records every POST it gets, answering `answer()` (204 by default). */
export function startCallbackReceiver(
  answer: CallbackAnswer = () => ({ status: 204 }),
): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown = rawBody;
      try {
        body = JSON.parse(rawBody);
      } catch {
        // keep the raw text
      }
      received.push({ headers: request.headers, rawBody, body, at: Date.now() });
      const { status, headers } = answer();
      response.writeHead(status, headers).end();
      for (const wake of waiters) wake();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        received,
        waitFor(count, timeoutMs = 15_000) {
          return new Promise((done, fail) => {
            const check = () => {
              if (received.length < count) return;
              cleanup();
              done(received.slice(0, count));
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(`expected ${count} callbacks within ${timeoutMs} ms, got ${received.length}`));
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
