import { type Bus, type Subscription, tracedHandler } from '@wagate/bus';
import { billing, type MessageStatusEvent, Topics } from '@wagate/contracts';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { startOutboxRelay } from '@wagate/outbox';
import { mount, type ServiceMount } from '@wagate/rpc';
import { BILLING_ACCESS } from './grpc/access.js';
import type { Kysely } from 'kysely';
import {
  createAccount,
  getAccount,
  listAccounts,
  transferCredit,
  updateAccount,
} from './accounts/account-service.js';
import { ensureDemoAccount } from './accounts/bootstrap.js';
import { getBalance } from './balance.js';
import { billingMigrations } from './db/migrations.js';
import { BILLING_SCHEMA, type BillingTables } from './db/tables.js';
import { authenticateKey, createKey, listKeys, revokeKey, rotateKey } from './keys/key-service.js';
import { getPrices, setPrices } from './pricing/price-service.js';
import { reserve } from './reservations/reserve.js';
import { capture, recordStatus, release } from './reservations/settle.js';
import { getUsage } from './usage/usage.js';

export interface BillingService {
  grpc: ServiceMount;
  /** Billing's tables, for the CLI and for tests that check the ledger. */
  db: Kysely<BillingTables>;
  /** Makes sure the demo account exists and `apiKey` is one of its keys (embedded and demos). */
  ensureDemoAccount(apiKey: string): Promise<{ accountId: string }>;
  stop(): Promise<void>;
}

/** Creates or updates the billing service's tables (also the migration Job's migrate-only mode). */
export function migrateBillingSchema(database: Database): Promise<void> {
  return migrateSchema(database, BILLING_SCHEMA, billingMigrations);
}

/**
 * Billing: the account tree (platform → resellers → sub-accounts), API keys (hashed), prices,
 * the double-entry ledger, reservations and quotas. A request's messages are reserved in one
 * call and one transaction; a message is captured when it is SENT and released when it FAILS
 * or EXPIRES, exactly once, however often its events arrive.
 */
export async function startBilling(deps: { database: Database; bus: Bus }): Promise<BillingService> {
  await migrateBillingSchema(deps.database);
  const db = withSchema<BillingTables>(deps.database, BILLING_SCHEMA);
  const relay = startOutboxRelay({ db, bus: deps.bus, name: 'billing' });
  const kickRelay = () => relay.kick();

  const implementation: billing.BillingServiceImplementation = {
    authenticateKey: (request) => authenticateKey(db, request),
    reserve: (request) => reserve(db, request),
    async release(request) {
      return { released: await release(db, request.messageIds, request.accountId, 'REJECTED') };
    },
    getBalance: (request) => getBalance(db, request),
    createAccount: (request) => createAccount(db, request),
    getAccount: (request) => getAccount(db, request),
    listAccounts: (request) => listAccounts(db, request),
    async updateAccount(request) {
      const response = await updateAccount(db, request);
      kickRelay();
      return response;
    },
    setPrices: (request) => setPrices(db, request),
    getPrices: (request) => getPrices(db, request),
    transferCredit: (request) => transferCredit(db, request),
    createKey: (request) => createKey(db, request),
    listKeys: (request) => listKeys(db, request),
    rotateKey: (request) => rotateKey(db, request),
    revokeKey: (request) => revokeKey(db, request, kickRelay),
    getUsage: (request) => getUsage(db, request),
  };

  const subscription: Subscription = await deps.bus.consume<MessageStatusEvent>({
    topic: Topics.messageStatus,
    group: 'billing',
    handler: tracedHandler(
      'billing.settle',
      (delivery) => ({ 'wagate.message_id': delivery.data.messageId, 'wagate.status': delivery.data.status }),
      (event) => settle(db, event),
    ),
  });

  return {
    grpc: mount(billing.BillingServiceDefinition, implementation, BILLING_ACCESS),
    db,
    ensureDemoAccount: (apiKey) => ensureDemoAccount(db, apiKey),
    async stop() {
      await subscription.close();
      await relay.stop();
    },
  };
}

/** SENT captures, FAILED and EXPIRED release; every status is kept for usage. */
async function settle(db: Kysely<BillingTables>, event: MessageStatusEvent): Promise<void> {
  if (event.status === 'SENT') await capture(db, event.messageId);
  else if (event.status === 'FAILED' || event.status === 'EXPIRED') await release(db, [event.messageId]);
  await recordStatus(db, event.messageId, event.status);
}
