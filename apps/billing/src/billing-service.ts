import { type Bus, type Subscription, tracedHandler } from '@wagate/bus';
import { billing, type MessageStatusEvent, Topics } from '@wagate/contracts';
import { createGroupCommit, type Database, migrateSchema, withSchema } from '@wagate/db';
import { startOutboxRelay } from '@wagate/outbox';
import { createLogger } from '@wagate/telemetry';
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
import { type ReserveRequest, type ReserveResponse, reserveBatch } from './reservations/reserve.js';
import { release, type SettlementEvent, settle } from './reservations/settle.js';
import { startBalanceRollup } from './ledger/rollup.js';
import { billingMetrics, observeBilling } from './metrics.js';
import { type FindMessages, startUnacceptedSweep } from './reservations/sweep-unaccepted.js';
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
const log = createLogger('billing');

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
  // together in the next one; two in flight, as for settlement (measured in bench/README.md).
  const reservations = createGroupCommit<ReserveRequest, ReserveResponse>({
    run: (requests) => reserveBatch(db, requests),
    sizeOf: () => 1,
    maxSize: 256,
    concurrency: 2,
  });

  const implementation: billing.BillingServiceImplementation = {
    authenticateKey: (request) => authenticateKey(db, request),
    async reserve(request) {
      const response = await reservations.submit(request);
      const metrics = billingMetrics();
      const refused: Record<string, number> = {};
      for (const result of response.results) {
        if (result.reserved) metrics.reserves.add(1);
        else {
          metrics.refusals.add(1, { key: result.rejectionKey });
          refused[result.rejectionKey] = (refused[result.rejectionKey] ?? 0) + 1;
        }
      }
      if (Object.keys(refused).length > 0)
        log.info({ accountId: request.accountId, refused }, 'reservations refused');
      return response;
    },
    async release(request) {
      const released = await release(db, request.messageIds, {
        accountId: request.accountId,
        finalStatus: 'REJECTED',
      });
      billingMetrics().releases.add(released);
      return { released };
    },
    getBalance: (request) => getBalance(db, request),
    async createAccount(request) {
      const response = await createAccount(db, request);
      log.info(
        {
          actorAccountId: request.actorAccountId,
          accountId: response.account?.id,
          parentId: request.parentId,
        },
        'account created',
      );
      return response;
    },
    getAccount: (request) => getAccount(db, request),
    listAccounts: (request) => listAccounts(db, request),
    async updateAccount(request) {
      const response = await updateAccount(db, request);
      kickRelay();
      log.info(
        { actorAccountId: request.actorAccountId, accountId: request.accountId, status: request.status },
        'account updated',
      );
      return response;
    },
    async setPrices(request) {
      const response = await setPrices(db, request);
      log.info({ actorAccountId: request.actorAccountId, accountId: request.accountId }, 'prices set');
      return response;
    },
    getPrices: (request) => getPrices(db, request),
    async transferCredit(request) {
      const response = await transferCredit(db, request);
      log.info(
        {
          actorAccountId: request.actorAccountId,
          accountId: request.accountId,
          amountMinor: request.amountMinor,
        },
        'credit transferred',
      );
      return response;
    },
    async createKey(request) {
      const response = await createKey(db, request);
      log.info({ actorAccountId: request.actorAccountId, accountId: request.accountId }, 'API key created');
      return response;
    },
    listKeys: (request) => listKeys(db, request),
    async rotateKey(request) {
      const response = await rotateKey(db, request);
      log.info(
        { actorAccountId: request.actorAccountId, accountId: request.accountId, keyId: request.keyId },
        'API key rotated',
      );
      return response;
    },
    async revokeKey(request) {
      const response = await revokeKey(db, request, kickRelay);
      log.info(
        { actorAccountId: request.actorAccountId, accountId: request.accountId, keyId: request.keyId },
        'API key revoked',
      );
      return response;
    },
    getUsage: (request) => getUsage(db, request),
  };

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
    grpc: mount(billing.BillingServiceDefinition, implementation, BILLING_ACCESS),
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
