import type { fleet } from '@wagate/contracts';
import type { Client } from 'nice-grpc';

export interface SenderDirectory {
  /** Which of `names` the account may send from; one gRPC call for all names not cached. */
  available(accountId: string, names: string[]): Promise<Map<string, fleet.ResolvedSender>>;
}

/**
 * Sender pools live in fleet; dispatch asks once per batch and keeps answers briefly, so a
 * burst of requests costs one call, and a newly bound sender is usable within `ttlMs`.
 */
export function createSenderDirectory(
  client: Client<typeof fleet.FleetServiceDefinition>,
  ttlMs = 10_000,
): SenderDirectory {
  const cache = new Map<string, { sender: fleet.ResolvedSender; until: number }>();
  return {
    async available(accountId, names) {
      const now = Date.now();
      const found = new Map<string, fleet.ResolvedSender>();
      const missing: string[] = [];
      for (const name of new Set(names)) {
        const hit = cache.get(`${accountId}/${name}`);
        if (hit && hit.until > now) found.set(name, hit.sender);
        else missing.push(name);
      }
      if (missing.length > 0) {
        const { senders } = await client.resolveSenders({ accountId, senders: missing });
        for (const sender of senders) {
          cache.set(`${accountId}/${sender.name}`, { sender, until: now + ttlMs });
          found.set(sender.name, sender);
        }
      }
      return found;
    },
  };
}
