import { serve } from '@hono/node-server';
import type { IdGenerator } from '@wagate/ids';
import { createApiApp } from './app.js';
import type { Peers } from './peers.js';

export interface ApiServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the api on `host:port` (port 0 picks a free one). */
export function startApiServer(options: { host: string; port: number; peers: Peers; ids: IdGenerator }): Promise<ApiServer> {
  const app = createApiApp(options);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, (info) => {
      const host = options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
