import { type Bus, type Subscription, tracedHandler } from '@wagate/bus';
import { type MessageStatusEvent, Topics } from '@wagate/contracts';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { startOutboxRelay } from '@wagate/outbox';
import type { ServiceMount } from '@wagate/rpc';
import { mountBillingGrpc } from './grpc/billing-handlers.js';
import type { Kysely } from 'kysely';
import { ensureDemoAccount } from './accounts/bootstrap.js';
import { billingMigrations } from './db/migrations.js';
import { BILLING_SCHEMA, type BillingTables } from './db/tables.js';
import { capture, recordStatus, release } from './reservations/settle.js';
import { billingMetrics, observeBilling } from './metrics.js';
import { type FindMessages, startUnacceptedSweep } from './reservations/sweep-unaccepted.js';

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
export async function startBilling(deps: {
  database: Database;
  bus: Bus;
  /**
   * Dispatch's answer to "which of these messages do you hold": with it, reservations whose
   * message never reached dispatch (the api died or dispatch failed in between) are released
   * once untouched for `olderThanMs` (default 5 minutes), looked for every `everyMs` (1 minute).
   */
  unacceptedSweep?: { findMessages: FindMessages; olderThanMs?: number; everyMs?: number };
}): Promise<BillingService> {
  await migrateBillingSchema(deps.database);
  const db = withSchema<BillingTables>(deps.database, BILLING_SCHEMA);
  const relay = startOutboxRelay({ db, bus: deps.bus, name: 'billing' });
  const kickRelay = () => relay.kick();
  const stopObserving = observeBilling(db);
  const sweep = deps.unacceptedSweep
    ? startUnacceptedSweep(db, deps.unacceptedSweep.findMessages, {
        olderThanMs: deps.unacceptedSweep.olderThanMs ?? 5 * 60_000,
        everyMs: deps.unacceptedSweep.everyMs ?? 60_000,
      })
    : undefined;

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
    grpc: mountBillingGrpc({ db, kickRelay }),
    db,
    ensureDemoAccount: (apiKey) => ensureDemoAccount(db, apiKey),
    async stop() {
      stopObserving();
      await sweep?.stop();
      await subscription.close();
      await relay.stop();
    },
  };
}

/** SENT captures, FAILED and EXPIRED release; every status is kept for usage. */
async function settle(db: Kysely<BillingTables>, event: MessageStatusEvent): Promise<void> {
  if (event.status === 'SENT') {
    if (await capture(db, event.messageId)) billingMetrics().captures.add(1);
  } else if (event.status === 'FAILED' || event.status === 'EXPIRED') {
    billingMetrics().releases.add(await release(db, [event.messageId]));
  }
  await recordStatus(db, event.messageId, event.status);
}
