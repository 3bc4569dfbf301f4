import { RequestError, RequestErrorKey } from '@wagate/errors';
import type { IdGenerator } from '@wagate/ids';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cachedKeyResolver, type Principal, requireApiKey } from './http/auth.js';
import { errorResponse, handleError } from './http/error-response.js';
import { traceRequests } from './http/tracing.js';
import type { Peers } from './peers.js';
import { registerGetMessage } from './routes/get-message.js';
import { registerSendMessages } from './routes/send-messages.js';
import { limits } from './validation/limits.js';

/** The public HTTP API: Devino's send call and the /v1 management API. */
export function createApiApp(deps: { peers: Peers; ids: IdGenerator }): Hono<{ Variables: { principal: Principal } }> {
  const app = new Hono<{ Variables: { principal: Principal } }>();
  app.onError(handleError);
  app.notFound((c) => errorResponse(c, RequestError.of(404, RequestErrorKey.NotFound, `no route ${c.req.method} ${c.req.path}`)));
  app.use(traceRequests());
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  const resolveKey = cachedKeyResolver(async (keyHash) => {
    const key = await deps.peers.billing.authenticateKey({ keyHash });
    return key.valid ? { accountId: key.accountId, keyId: key.keyId, scopes: key.scopes } : undefined;
  });
  const authenticated = ['/whatsapp/*', '/v1/*'];
  for (const path of authenticated) {
    app.use(
      path,
      bodyLimit({
        maxSize: limits.maxBodyBytes,
        onError: () => {
          throw RequestError.of(413, RequestErrorKey.PayloadTooLarge, `the body is larger than ${limits.maxBodyBytes} bytes`);
        },
      }),
      requireApiKey(resolveKey),
    );
  }
  registerSendMessages(app, deps);
  registerGetMessage(app, deps);
  return app;
}
