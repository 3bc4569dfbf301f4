import { createHash } from 'node:crypto';
import { RequestError, RequestErrorKey } from '@wagate/errors';
import type { MiddlewareHandler } from 'hono';

export interface Principal {
  accountId: string;
  keyId: string;
  scopes: string[];
}

export type KeyResolver = (keyHash: string) => Promise<Principal | undefined>;

/**
 * Caches key lookups briefly so a burst of requests costs one billing call per key. A
 * revoked key stops working within `ttlMs` (revocation events arrive with the accounts issue).
 */
export function cachedKeyResolver(resolve: KeyResolver, ttlMs = 30_000, maxEntries = 10_000): KeyResolver {
  const cache = new Map<string, { principal: Principal | undefined; until: number }>();
  return async (keyHash) => {
    const now = Date.now();
    const hit = cache.get(keyHash);
    if (hit && hit.until > now) return hit.principal;
    const principal = await resolve(keyHash);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(keyHash, { principal, until: now + ttlMs });
    return principal;
  };
}

/** `Authorization: Key <api key>`, as the contract says; `Bearer` is accepted too. */
export function requireApiKey(resolve: KeyResolver): MiddlewareHandler<{ Variables: { principal: Principal } }> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^(?:Key|Bearer)\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw RequestError.of(401, RequestErrorKey.Unauthorized, 'send your API key as "Authorization: Key <api key>"');
    }
    const principal = await resolve(createHash('sha256').update(match[1]!).digest('hex'));
    if (!principal) throw RequestError.of(401, RequestErrorKey.Unauthorized, 'the API key is unknown or revoked');
    c.set('principal', principal);
    await next();
  };
}

export function requireScope(principal: Principal, scope: 'send' | 'read' | 'manage'): void {
  if (!principal.scopes.includes(scope)) {
    throw RequestError.of(403, RequestErrorKey.Forbidden, `this API key lacks the "${scope}" scope`);
  }
}
