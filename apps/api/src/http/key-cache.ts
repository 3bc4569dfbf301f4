import type { Bus, Subscription } from '@wagate/bus';
import { type AccessChangedEvent, Topics } from '@wagate/contracts';
import { createLogger } from '@wagate/telemetry';
import type { Peers } from '../peers.js';
import { type CachedKeyResolver, cachedKeyResolver } from './auth.js';

const log = createLogger('api:keys');

/** Key lookups through billing, cached per api replica. */
export function billingKeyCache(peers: Peers): CachedKeyResolver {
  return cachedKeyResolver(async (keyHash) => {
    const key = await peers.billing.authenticateKey({ keyHash });
    if (key.valid) {
      return {
        kind: 'valid',
        principal: { accountId: key.accountId, keyId: key.keyId, scopes: key.scopes },
        ...(key.expiresAtMs !== undefined ? { expiresAtMs: Number(key.expiresAtMs) } : {}),
      };
    }
    return key.refusal === 'suspended' ? { kind: 'suspended' } : { kind: 'unknown' };
  });
}

/**
 * Every api replica listens to billing's access events: a revoked key leaves this replica's
 * cache as soon as the event arrives, and an account's status change empties the cache (its
 * keys, and its sub-accounts' keys, must be looked up again).
 */
export function invalidateOnAccessChanges(bus: Bus, keys: CachedKeyResolver): Promise<Subscription> {
  return bus.broadcast<AccessChangedEvent>({
    topic: Topics.accessChanged,
    handler: (event) => {
      keys.invalidate(event.keyHash);
      log.info({ accountId: event.accountId, reason: event.reason }, 'cached keys invalidated');
    },
  });
}
