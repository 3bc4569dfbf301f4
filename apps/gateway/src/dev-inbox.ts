import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/**
 * A callback receiver for demos on the embedded runtime: point `callbackUrl` at
 * `<base>/dev/inbox` and read what arrived with `GET <base>/dev/inbox`. It keeps the last
 * 1000 deliveries in memory; it is not part of the production API.
 */
export function createDevInbox() {
  const received: Array<{ at: string; headers: Record<string, string>; body: unknown }> = [];
  const app = new Hono();
  app.post('/dev/inbox', async (c) => {
    const text = await c.req.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the raw text
    }
    received.push({ at: new Date().toISOString(), headers: Object.fromEntries(c.req.raw.headers), body });
    if (received.length > 1000) received.shift();
    return c.body(null, 204);
  });
  app.get('/dev/inbox', (c) => c.json(received));
  return { app, received };
}

export { serve };
