import { type Bus, type Subscription, tracedHandler } from '@wagate/bus';
import { billing, type MessageStatusEvent, Topics } from '@wagate/contracts';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { prefixedId } from '@wagate/ids';
import { mount, type ServiceMount } from '@wagate/rpc';
import { createLogger } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import { hashApiKey, keyPrefix } from './api-keys.js';
import { getBalance } from './balance.js';
import { billingMigrations } from './db/migrations.js';
import { BILLING_SCHEMA, type BillingTables } from './db/tables.js';

const log = createLogger('billing');

export interface BillingService {
  grpc: ServiceMount;
  /** Makes sure the demo account exists and `apiKey` is one of its keys (embedded and demos). */
  ensureDemoAccount(apiKey: string): Promise<{ accountId: string }>;
  stop(): Promise<void>;
}

export const DEMO_ACCOUNT_ID = 'acc_demo';

/**
 * Billing for the walking skeleton: accounts, hashed API keys, and one reservation per
 * message that is captured when the message is sent and released when it fails or expires.
 * Each account has a balance that GetBalance reads; nothing moves it yet. Prices, the prepaid
 * ledger and quotas arrive with the billing issue; the call shapes are final.
 */
export async function startBilling(deps: { database: Database; bus: Bus }): Promise<BillingService> {
  await migrateSchema(deps.database, BILLING_SCHEMA, billingMigrations);
  const db = withSchema<BillingTables>(deps.database, BILLING_SCHEMA);

  const implementation: billing.BillingServiceImplementation = {
    async authenticateKey(request) {
      const key = await db
        .selectFrom('api_keys')
        .innerJoin('accounts', 'accounts.id', 'api_keys.account_id')
        .select(['api_keys.id', 'api_keys.account_id', 'api_keys.scopes'])
        .where('api_keys.key_hash', '=', request.keyHash)
        .where('api_keys.revoked_at', 'is', null)
        .where('accounts.status', '=', 'active')
        .executeTakeFirst();
      if (!key) return { valid: false, accountId: '', keyId: '', scopes: [] };
      return { valid: true, accountId: key.account_id, keyId: key.id, scopes: key.scopes };
    },

    async release(request) {
      if (request.messageIds.length === 0) return { released: 0 };
      const result = await db
        .updateTable('reservations')
        .set({ state: 'released', updated_at: new Date() })
        .where('account_id', '=', request.accountId)
        .where('message_id', 'in', request.messageIds)
        .where('state', '=', 'reserved')
        .executeTakeFirst();
      return { released: Number(result.numUpdatedRows) };
    },

    async reserve(request) {
      if (request.items.length > 0) {
        await db
          .insertInto('reservations')
          .values(
            request.items.map((item) => ({
              message_id: item.messageId,
              account_id: request.accountId,
              kind: item.kind,
              state: 'reserved' as const,
            })),
          )
          .onConflict((conflict) => conflict.column('message_id').doNothing())
          .execute();
      }
      return {
        results: request.items.map((item) => ({
          messageId: item.messageId,
          reserved: true,
          rejectionKey: '',
          description: '',
        })),
      };
    },

    getBalance: (request) => getBalance(db, request),
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
    grpc: mount(billing.BillingServiceDefinition, implementation),
    async ensureDemoAccount(apiKey) {
      await db
        .insertInto('accounts')
        .values({ id: DEMO_ACCOUNT_ID, name: 'Demo', parent_id: null, status: 'active' })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .execute();
      await db
        .insertInto('api_keys')
        .values({
          id: prefixedId('apiKey'),
          account_id: DEMO_ACCOUNT_ID,
          key_hash: hashApiKey(apiKey),
          prefix: keyPrefix(apiKey),
          scopes: ['send', 'read', 'manage'],
          revoked_at: null,
        })
        .onConflict((conflict) => conflict.column('key_hash').doNothing())
        .execute();
      return { accountId: DEMO_ACCOUNT_ID };
    },
    async stop() {
      await subscription.close();
    },
  };
}

/**
 * Captures on SENT, releases on FAILED/EXPIRED. The state guard makes a redelivered event a
 * no-op, so a reservation is settled exactly once however often the event arrives.
 */
async function settle(db: Kysely<BillingTables>, event: MessageStatusEvent): Promise<void> {
  const next = event.status === 'SENT' ? 'captured' : event.status === 'FAILED' || event.status === 'EXPIRED' ? 'released' : undefined;
  if (!next) return;
  const result = await db
    .updateTable('reservations')
    .set({ state: next, updated_at: new Date() })
    .where('message_id', '=', event.messageId)
    .where('state', '=', 'reserved')
    .executeTakeFirst();
  if (result.numUpdatedRows > 0n) log.debug({ messageId: event.messageId, state: next }, 'reservation settled');
}
