/**
 * The ceiling of the HTTP layer: the same Hono + @hono/node-server stack the gateway serves
 * from, doing only what no send can avoid — read the body, JSON.parse it, answer one result
 * per message. No auth, no validation, no database, no gRPC.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { SEND_PATH } from '../bodies.js';
import { serveTarget } from '../target-child.js';

const OK = { code: 'OK', messageId: 'bare-hono' } as const;

await serveTarget(async () => {
  const app = new Hono();
  app.post(SEND_PATH, async (c) => {
    const body = JSON.parse(await c.req.text()) as { messages?: unknown[] };
    const count = Array.isArray(body.messages) ? body.messages.length : 0;
    return c.json({ result: Array.from({ length: count }, () => OK) });
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(server));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey: '',
    stop: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
});
