import { createHash } from 'node:crypto';
import { RequestErrorKey } from '@wagate/errors';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors/api-error.js';

export interface Principal {
  accountId: string;
  keyId: string;
  scopes: string[];
}

export type Scope = 'send' | 'read' | 'manage';

export type ApiEnv = { Variables: { principal: Principal } };

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
export function requireApiKey(resolve: KeyResolver): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^(?:Key|Bearer)\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw ApiError.of(
        401,
        RequestErrorKey.Unauthorized,
        'send your API key as "Authorization: Key <api key>"',
      );
    }
    const principal = await resolve(createHash('sha256').update(match[1]!).digest('hex'));
    if (!principal) throw ApiError.of(401, RequestErrorKey.Unauthorized, 'the API key is unknown or revoked');
    c.set('principal', principal);
    await next();
  };
}

/** Refuses (403 `forbidden`) a key without `scope`, before the route reads or validates anything. */
export function requireScope(scope: Scope): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (!c.get('principal').scopes.includes(scope)) {
      throw ApiError.of(
        403,
        RequestErrorKey.Forbidden,
        `this API key lacks the "${scope}" scope this route needs`,
      );
    }
    await next();
  };
}
