import { expect, test } from 'vitest';
import type { Peers } from '../src/peers.js';
import { cachedAncestors } from '../src/send/account-ancestors.js';

/** Billing's tree: platform → reseller → customer, answering getAccount for an account itself. */
function billingWithTree(parents: Record<string, string>) {
  const asked: string[] = [];
  const peers = {
    billing: {
      async getAccount({ actorAccountId, accountId }: { actorAccountId: string; accountId: string }) {
        expect(actorAccountId).toBe(accountId);
        asked.push(accountId);
        return { account: { id: accountId, parentId: parents[accountId] ?? '' } };
      },
    },
  } as unknown as Peers;
  return { peers, asked };
}

test("an account's ancestors come root first, each parent asked of billing once", async () => {
  const { peers, asked } = billingWithTree({ acc_customer: 'acc_reseller', acc_reseller: 'acc_platform' });
  const ancestors = cachedAncestors(peers);
  expect(await ancestors('acc_customer')).toEqual(['acc_platform', 'acc_reseller']);
  expect(await ancestors('acc_customer')).toEqual(['acc_platform', 'acc_reseller']);
  expect(await ancestors('acc_reseller')).toEqual(['acc_platform']);
  expect(await ancestors('acc_platform')).toEqual([]);
  expect(asked).toEqual(['acc_customer', 'acc_reseller', 'acc_platform']);
});
