/** What fleet says of one `from` entry. */
export interface ResolvedSender {
  /** The entry as given. */
  name: string;
  available: boolean;
  /** The sender's devices' numbers (to refuse self-sends). */
  numbers: string[];
  /** The sender's name; empty when the entry names none. */
  senderName: string;
}

/** Asks fleet about these `from` entries of the account, one answer per entry (grpc/fleet-client.ts). */
export type ResolveSenders = (accountId: string, names: string[]) => Promise<ResolvedSender[]>;

export interface SenderDirectory {
  /** Which of `names` the account may send from; one call to fleet for all names not cached. */
  available(accountId: string, names: string[]): Promise<Map<string, ResolvedSender>>;
}

/**
 * Sender pools live in fleet; dispatch asks once per batch and keeps answers briefly, so a
 * burst of requests costs one call, and a newly bound sender is usable within `ttlMs`.
 */
export function createSenderDirectory(resolve: ResolveSenders, ttlMs = 10_000): SenderDirectory {
  const cache = new Map<string, { sender: ResolvedSender; until: number }>();
  return {
    async available(accountId, names) {
      const now = Date.now();
      const found = new Map<string, ResolvedSender>();
      const missing: string[] = [];
      for (const name of new Set(names)) {
        const hit = cache.get(`${accountId}/${name}`);
        if (hit && hit.until > now) found.set(name, hit.sender);
        else missing.push(name);
      }
      if (missing.length > 0) {
        for (const sender of await resolve(accountId, missing)) {
          cache.set(`${accountId}/${sender.name}`, { sender, until: now + ttlMs });
          found.set(sender.name, sender);
        }
      }
      return found;
    },
  };
}
