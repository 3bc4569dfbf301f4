import { createHash } from 'node:crypto';
import { DomainError, ErrorKey } from '@wagate/errors';
import { withAccount } from '@wagate/telemetry';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { SessionStore } from '../sessions/store.js';

export interface Principal {
  accountId: string;
  keyId: string;
  scopes: string[];
}

export type Scope = 'send' | 'read' | 'manage';

export type ApiEnv = {
  Variables: {
    principal: Principal;
    /** SHA-256 of the key the request is made with (directly or through a session). */
    keyHash: string;
  };
};

/** What billing says of a key: usable (a principal), known but refused now, or unknown. */
export type KeyLookup =
  | { kind: 'valid'; principal: Principal; expiresAtMs?: number }
  | { kind: 'suspended' }
  | { kind: 'unknown' };

export type KeyResolver = (keyHash: string) => Promise<KeyLookup>;

export interface CachedKeyResolver {
  resolve: KeyResolver;
  /** Drops one key (revoked) or, with no hash, every key (an account's status changed). */
  invalidate(keyHash?: string): void;
}

/**
 * Caches key lookups briefly so a burst of requests costs one billing call per key. Billing
 * announces revocations and suspensions on the bus and the api drops the entries at once;
 * `ttlMs` only bounds how stale an entry can get should such an event be missed. A key that
 * expires is never served past its expiry.
 */
export function cachedKeyResolver(
  resolve: KeyResolver,
  ttlMs = 30_000,
  maxEntries = 10_000,
): CachedKeyResolver {
  const cache = new Map<string, { lookup: KeyLookup; until: number }>();
  return {
    async resolve(keyHash) {
      const now = Date.now();
      const hit = cache.get(keyHash);
      if (hit && hit.until > now) return hit.lookup;
      const lookup = await resolve(keyHash);
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
      const expiresAt =
        lookup.kind === 'valid' ? (lookup.expiresAtMs ?? Number.POSITIVE_INFINITY) : Number.POSITIVE_INFINITY;
      cache.set(keyHash, { lookup, until: Math.min(now + ttlMs, expiresAt) });
      return lookup;
    },
    invalidate(keyHash) {
      if (keyHash === undefined) cache.clear();
      else cache.delete(keyHash);
    },
  };
}

/** The console's session cookie: HttpOnly, SameSite=Strict, Secure outside local demos. */
export const SESSION_COOKIE = 'wagate_session';
/**
 * The header every unsafe request of a session must carry. A cross-site form cannot set it,
 * and a cross-site script cannot send it without a CORS preflight the api never grants.
 */
export const SESSION_GUARD_HEADER = 'x-wagate-console';

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Who is calling: `Authorization: Key <api key>` as the contract says (`Bearer` is accepted
 * too), or else a console session's cookie. Both end in the same key lookup — a session holds
 * only the hash of the key it was signed in with — so a session can do exactly what its key
 * can, and stops working the moment the key is revoked or its account suspended.
 */
export function requireApiKey(resolve: KeyResolver, sessions?: SessionStore): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const sessionId = header === undefined && sessions ? getCookie(c, SESSION_COOKIE) : undefined;
    let keyHash: string;
    if (sessionId !== undefined && sessions) {
      keyHash = await sessionKeyHash(c, sessions, sessionId);
    } else {
      const match = /^(?:Key|Bearer)\s+(\S+)\s*$/i.exec(header ?? '');
      if (!match) {
        throw new DomainError(ErrorKey.Unauthorized, 'send your API key as "Authorization: Key <api key>"');
      }
      keyHash = createHash('sha256').update(match[1]!).digest('hex');
    }
    const lookup = await resolve(keyHash);
    if (lookup.kind === 'suspended') {
      throw new DomainError(
        ErrorKey.Forbidden,
        'the account (or an account above it) is suspended; its reseller can reactivate it',
      );
    }
    if (lookup.kind === 'unknown') {
      throw new DomainError(ErrorKey.Unauthorized, 'the API key is unknown, expired or revoked');
    }
    c.set('principal', lookup.principal);
    c.set('keyHash', keyHash);
    // From here on every span and log line of the request (in every service) names the account.
    await withAccount(lookup.principal.accountId, next);
  };
}

/**
 * A browser's Origin names the page's host; it must be the host it is talking to. Compared by
 * host, not scheme, so a proxy that ends TLS in front of the api does not refuse the console.
 */
function sameHost(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The key behind a live session; refuses an ended session and an unsafe request without the guard. */
async function sessionKeyHash(
  c: Context<ApiEnv>,
  sessions: SessionStore,
  sessionId: string,
): Promise<string> {
  const session = await sessions.find(sessionId);
  if (!session) {
    throw new DomainError(
      ErrorKey.Unauthorized,
      'the console session has expired or was signed out; sign in again',
    );
  }
  if (unsafeMethods.has(c.req.method)) {
    const origin = c.req.header('origin');
    if (c.req.header(SESSION_GUARD_HEADER) !== '1' || !sameHost(origin, c.req.header('host'))) {
      throw new DomainError(
        ErrorKey.Forbidden,
        `a session's ${c.req.method} must come from the console: same origin, with the ${SESSION_GUARD_HEADER} header`,
      );
    }
  }
  return session.keyHash;
}

/** Refuses (403 `forbidden`) a key without `scope`, before the route reads or validates anything. */
export function requireScope(scope: Scope): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (!c.get('principal').scopes.includes(scope)) {
      throw new DomainError(ErrorKey.Forbidden, `this API key lacks the "${scope}" scope this route needs`);
    }
    await next();
  };
}
