import type { Peers } from '../peers.js';

/** The accounts above an account, root first; the account itself is not among them. */
export type AncestorResolver = (accountId: string) => Promise<string[]>;

/** An account tree deeper than this is a loop in the data, not a tree. */
const MAX_DEPTH = 32;

/**
 * Asks billing, which owns the account tree, for each account's parent and walks up to the root.
 * An account never moves in the tree (its path is fixed at creation), so a parent once learned
 * is kept; a burst of sends costs billing nothing after the first. Bounded like the key cache.
 */
export function cachedAncestors(peers: Peers, maxEntries = 100_000): AncestorResolver {
  const parents = new Map<string, string>();
  async function parentOf(accountId: string): Promise<string> {
    const known = parents.get(accountId);
    if (known !== undefined) return known;
    // An account may read itself; its parent id is part of what it reads.
    const { account } = await peers.billing.getAccount({ actorAccountId: accountId, accountId });
    const parentId = account?.parentId ?? '';
    if (parents.size >= maxEntries) parents.delete(parents.keys().next().value!);
    parents.set(accountId, parentId);
    return parentId;
  }
  return async (accountId) => {
    const chain: string[] = [];
    for (let id = await parentOf(accountId); id !== '' && chain.length < MAX_DEPTH; id = await parentOf(id)) {
      chain.unshift(id);
    }
    return chain;
  };
}
