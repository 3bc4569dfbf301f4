import type { billing } from '@wagate/contracts';
import type { AccessTable } from '@wagate/rpc';

/**
 * Who may call billing (docs/security.md). Only the api: it authenticates tenants and checks
 * their scopes and subtree before it asks for keys, accounts or money. Dispatch, fleet and
 * templates never touch accounts or funds; billing hears message outcomes on the bus.
 */
export const BILLING_ACCESS: AccessTable<typeof billing.BillingServiceDefinition> = {
  authenticateKey: ['api'],
  reserve: ['api'],
  release: ['api'],
  getBalance: ['api'],
  createAccount: ['api'],
  getAccount: ['api'],
  listAccounts: ['api'],
  updateAccount: ['api'],
  setPrices: ['api'],
  getPrices: ['api'],
  transferCredit: ['api'],
  createKey: ['api'],
  listKeys: ['api'],
  rotateKey: ['api'],
  revokeKey: ['api'],
  getUsage: ['api'],
};
