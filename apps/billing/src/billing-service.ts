import { type Bus, type Subscription, tracedHandler } from '@wagate/bus';
import { type MessageStatusEvent, Topics } from '@wagate/contracts';
import { createGroupCommit, type Database, migrateSchema, withSchema } from '@wagate/db';
import { startOutboxRelay } from '@wagate/outbox';
import type { ServiceMount } from '@wagate/rpc';
import { mountBillingGrpc } from './grpc/billing-handlers.js';
import type { Kysely } from 'kysely';
import { ensureDemoAccount } from './accounts/bootstrap.js';
import { billingMigrations } from './db/migrations.js';
import { BILLING_SCHEMA, type BillingTables } from './db/tables.js';
import { type ReserveRequest, type ReserveResponse, reserveBatch } from './reservations/reserve.js';
import { type SettlementEvent, settle } from './reservations/settle.js';
import { startBalanceRollup } from './ledger/rollup.js';
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
  /**
   * How often unrolled postings (what ancestors earned) are added into their accounts' rows;
   * default 250 ms: an ancestor's row is written about four times a second, whatever the load.
   */
  rollupEveryMs?: number;
}): Promise<BillingService> {
  await migrateBillingSchema(deps.database);
  const db = withSchema<BillingTables>(deps.database, BILLING_SCHEMA);
  const relay = startOutboxRelay({ db, bus: deps.bus, name: 'billing' });
  const kickRelay = () => relay.kick();
  const stopObserving = observeBilling(db);
  const rollup = startBalanceRollup(db, { everyMs: deps.rollupEveryMs ?? 250 });
  // Status events that arrive while settlement transactions are in flight go in the next one.
  // Two batches in flight overlap one's round trips with the other's (bench:billing: about
  // 4 000 captures/s against 3 200 with one, and four were slower again).
  const settlements = createGroupCommit<SettlementEvent, undefined>({
    async run(events) {
      const { captured, released } = await settle(db, events);
      billingMetrics().captures.add(captured.length);
      billingMetrics().releases.add(released.length);
      return events.map(() => undefined);
    },
    sizeOf: () => 1,
    maxSize: 2_000,
    concurrency: 2,
  });
  const sweep = deps.unacceptedSweep
    ? startUnacceptedSweep(db, deps.unacceptedSweep.findMessages, {
        olderThanMs: deps.unacceptedSweep.olderThanMs ?? 5 * 60_000,
        everyMs: deps.unacceptedSweep.everyMs ?? 60_000,
      })
    : undefined;
  // Reserve calls (of any accounts) that arrive while reservation transactions are in flight go
  // together in the next one; two in flight, as for settlement (measured in bench/README.md), on
  // two lanes by account: a group locks its accounts' rows to the commit, so a second group of
  // the same account would only wait for the first (one paying tenant's single sends: groups of
  // 2.5 calls and the row lock's wait, against larger groups and none with lanes).
  const reservations = createGroupCommit<ReserveRequest, ReserveResponse>({
    run: (requests) => reserveBatch(db, requests),
    sizeOf: () => 1,
    maxSize: 256,
    concurrency: 1,
    lanes: { count: 2, keyOf: (request) => request.accountId },
  });

  const subscription: Subscription = await deps.bus.consume<MessageStatusEvent>({
    topic: Topics.messageStatus,
    group: 'billing',
    // Enough deliveries in hand to fill a settlement batch while the previous one commits.
    maxInFlight: 2_000,
    handler: tracedHandler(
      'billing.settle',
      (delivery) => ({ 'wagate.message_id': delivery.data.messageId, 'wagate.status': delivery.data.status }),
      (event) => settlements.submit({ messageId: event.messageId, status: event.status }),
    ),
  });

  return {
    grpc: mountBillingGrpc({ db, kickRelay, reserve: (request) => reservations.submit(request) }),
    db,
    ensureDemoAccount: (apiKey) => ensureDemoAccount(db, apiKey),
    async stop() {
      stopObserving();
      await sweep?.stop();
      await subscription.close();
      await rollup.stop();
      await relay.stop();
    },
  };
}
