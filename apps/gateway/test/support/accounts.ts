import { randomBytes } from 'node:crypto';
import { ensureChildAccount, ensureKey, PLATFORM_ACCOUNT_ID } from '@wagate/billing';
import type { EmbeddedGateway } from '../../src/index.js';

/**
 * A reseller below the platform and its customer (`Shop`) below it, made in billing's tables,
 * each with a key of every scope; resolves with the two keys.
 */
export async function resellerAndShop(
  gateway: EmbeddedGateway,
  ids: { reseller: string; shop: string },
): Promise<{ reseller: string; shop: string }> {
  const billing = gateway.billing.db;
  await ensureChildAccount(billing, {
    id: ids.reseller,
    name: 'Reseller',
    parentId: PLATFORM_ACCOUNT_ID,
    kind: 'reseller',
  });
  await ensureChildAccount(billing, { id: ids.shop, name: 'Shop', parentId: ids.reseller, kind: 'customer' });
  const keys = {
    reseller: `wag_test_${randomBytes(12).toString('hex')}`,
    shop: `wag_test_${randomBytes(12).toString('hex')}`,
  };
  await ensureKey(billing, ids.reseller, keys.reseller, 'test');
  await ensureKey(billing, ids.shop, keys.shop, 'test');
  return keys;
}
