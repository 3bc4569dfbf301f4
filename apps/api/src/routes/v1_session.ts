import { createRoute } from '@hono/zod-openapi';
import { DomainError, ErrorKey } from '@wagate/errors';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { SESSION_COOKIE } from '../http/auth.js';
import { apiKeySecurity, errorResponses } from '../schemas/common.js';
import { SessionSchema } from '../schemas/sessions.js';
import type { SessionStore } from '../sessions/store.js';
import type { ApiApp } from './types.js';

export interface SessionOptions {
  store: SessionStore;
  /** How long a session lasts from sign-in. */
  ttlMs: number;
  /** Marks the cookie Secure (HTTPS only): true in production, false for the local demo on http://127.0.0.1. */
  secureCookie: boolean;
}

const sessionCookieHeader = {
  'Set-Cookie': {
    description: `\`${SESSION_COOKIE}=…; HttpOnly; SameSite=Strict; Path=/\` (and \`Secure\` in production).`,
    schema: { type: 'string' as const },
  },
};

export const createSessionRoute = createRoute({
  method: 'post',
  path: '/v1/session',
  tags: ['Console sessions'],
  operationId: 'createSession',
  summary: 'Sign in (exchange a key for a session)',
  description:
    'Exchanges the API key in `Authorization` for a console session: an HttpOnly, SameSite=Strict cookie, so the ' +
    'browser never keeps the key. Every request of the session is checked as a request with the key: the same ' +
    'scopes and account subtree, and it stops working when the key is revoked or the account suspended. A ' +
    "session's POST, PUT, PATCH and DELETE must carry `X-Wagate-Console: 1` and come from the same host.",
  security: apiKeySecurity,
  responses: {
    201: {
      description: 'Signed in; the cookie is set.',
      headers: sessionCookieHeader,
      content: { 'application/json': { schema: SessionSchema } },
    },
    ...errorResponses(401, 403, 500, 503),
  },
});

export const getSessionRoute = createRoute({
  method: 'get',
  path: '/v1/session',
  tags: ['Console sessions'],
  operationId: 'getSession',
  summary: 'Who is signed in',
  description:
    'The account, key and scopes of the session (or of the key asking), and when the session ends.',
  security: apiKeySecurity,
  responses: {
    200: { description: 'The session.', content: { 'application/json': { schema: SessionSchema } } },
    ...errorResponses(401, 403, 500, 503),
  },
});

export const deleteSessionRoute = createRoute({
  method: 'delete',
  path: '/v1/session',
  tags: ['Console sessions'],
  operationId: 'deleteSession',
  summary: 'Sign out',
  description: 'Ends the session on the server (its cookie no longer works anywhere) and clears the cookie.',
  security: apiKeySecurity,
  responses: {
    204: { description: 'Signed out.' },
    ...errorResponses(401, 403, 500, 503),
  },
});

export function registerSessions(app: ApiApp, options: SessionOptions): void {
  app.openapi(createSessionRoute, async (c) => {
    if (c.req.header('authorization') === undefined) {
      throw new DomainError(ErrorKey.Unauthorized, 'sign in with "Authorization: Key <api key>"');
    }
    const principal = c.get('principal');
    const session = await options.store.open(c.get('keyHash'), principal.accountId, options.ttlMs);
    setCookie(c, SESSION_COOKIE, session.id, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: options.secureCookie,
      path: '/',
      expires: session.expiresAt,
    });
    return c.json({ ...principal, expiresAt: session.expiresAt.toISOString() }, 201);
  });

  app.openapi(getSessionRoute, async (c) => {
    const sessionId = c.req.header('authorization') === undefined ? getCookie(c, SESSION_COOKIE) : undefined;
    const session = sessionId === undefined ? undefined : await options.store.find(sessionId);
    return c.json({ ...c.get('principal'), expiresAt: session?.expiresAt.toISOString() ?? null }, 200);
  });

  app.openapi(deleteSessionRoute, async (c) => {
    const sessionId = getCookie(c, SESSION_COOKIE);
    if (sessionId !== undefined) await options.store.close(sessionId);
    deleteCookie(c, SESSION_COOKIE, {
      path: '/',
      secure: options.secureCookie,
      httpOnly: true,
      sameSite: 'Strict',
    });
    return c.body(null, 204);
  });
}
