import { createHash } from 'node:crypto';
import { RequestErrorKey } from '@wagate/errors';
import { withAccount } from '@wagate/telemetry';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors/api-error.js';

export interface Principal {
  accountId: string;
  keyId: string;
  scopes: string[];
}

export type Scope = 'send' | 'read' | 'manage';

export type ApiEnv = { Variables: { principal: Principal } };

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
    const lookup = await resolve(createHash('sha256').update(match[1]!).digest('hex'));
    if (lookup.kind === 'suspended') {
      throw ApiError.of(
        403,
        RequestErrorKey.Forbidden,
        'the account (or an account above it) is suspended; its reseller can reactivate it',
      );
    }
    if (lookup.kind === 'unknown') {
      throw ApiError.of(401, RequestErrorKey.Unauthorized, 'the API key is unknown, expired or revoked');
    }
    c.set('principal', lookup.principal);
    // From here on every span and log line of the request (in every service) names the account.
    await withAccount(lookup.principal.accountId, next);
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
