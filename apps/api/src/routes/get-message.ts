import { RequestError, RequestErrorKey } from '@wagate/errors';
import type { Hono } from 'hono';
import { type Principal, requireScope } from '../http/auth.js';
import type { Peers } from '../peers.js';

/** `GET /v1/messages/{messageId}` — a message of the caller's account and its status history. */
export function registerGetMessage(app: Hono<{ Variables: { principal: Principal } }>, deps: { peers: Peers }): void {
  app.get('/v1/messages/:messageId', async (c) => {
    const principal = c.get('principal');
    requireScope(principal, 'read');
    const messageId = c.req.param('messageId');
    const found = await deps.peers.dispatch.getMessage({ accountId: principal.accountId, messageId });
    if (!found.found || !found.message) {
      // Another account's message reads exactly like a missing one.
      throw RequestError.of(404, RequestErrorKey.NotFound, `no message ${messageId}`, 'messageId');
    }
    const m = found.message;
    return c.json({
      messageId,
      from: m.sender,
      to: m.recipient,
      text: m.text,
      ...(m.callbackUrl ? { callbackUrl: m.callbackUrl } : {}),
      ...(m.callbackData !== undefined ? { callbackData: m.callbackData } : {}),
      status: found.status,
      errorCode: found.history.at(-1)?.errorCode ?? 0,
      acceptedAt: new Date(Number(m.acceptedAtMs)).toISOString(),
      history: found.history.map((entry) => ({
        status: entry.status,
        errorCode: entry.errorCode,
        ts: Number(entry.atMs),
        source: entry.source,
      })),
    });
  });
}
