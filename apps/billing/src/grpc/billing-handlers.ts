import { billing } from '@wagate/contracts';
import { mount, type ServiceMount } from '@wagate/rpc';
import { createLogger } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import {
  createAccount,
  getAccount,
  listAccounts,
  transferCredit,
  updateAccount,
} from '../accounts/account-service.js';
import { getBalance } from '../balance.js';
import type { BillingTables } from '../db/tables.js';
import { authenticateKey, createKey, listKeys, revokeKey, rotateKey } from '../keys/key-service.js';
import { billingMetrics } from '../metrics.js';
import { getPrices, setPrices } from '../pricing/price-service.js';
import type { ReserveRequest, ReserveResponse } from '../reservations/reserve.js';
import { release } from '../reservations/settle.js';
import { getUsage } from '../usage/usage.js';
import { BILLING_ACCESS } from './access.js';
import { accountChangeFromProto, newKeyFromProto, pricesFromProto } from './from-proto.js';
import {
  accountToProto,
  balanceToProto,
  keyAuthenticationToProto,
  keyToProto,
  priceListToProto,
  usageToProto,
} from './to-proto.js';

const log = createLogger('billing');

interface HandlerDeps {
  db: Kysely<BillingTables>;
  /** Called once a change that others must hear of (a key revoked, an account's status) is committed. */
  kickRelay: () => void;
  /** Reserves a request's messages (in a group commit with the calls that arrive meanwhile). */
  reserve: (request: ReserveRequest) => Promise<ReserveResponse>;
}

/** Billing's gRPC service, mounted with its access table. */
export function mountBillingGrpc(deps: HandlerDeps): ServiceMount {
  return mount(billing.BillingServiceDefinition, billingHandlers(deps), BILLING_ACCESS);
}

/**
 * The gRPC handlers: each reads its request into domain types, calls the domain and answers in
 * proto; they also count and log what happened. A reserve request and its answer have the
 * domain's shape (reservations/reserve.ts), so they pass as they are.
 */
function billingHandlers({ db, kickRelay, reserve }: HandlerDeps): billing.BillingServiceImplementation {
  return {
    authenticateKey: async (request) =>
      keyAuthenticationToProto(await authenticateKey(db, { keyHash: request.keyHash })),
    async reserve(request) {
      const response = await reserve(request);
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
    getBalance: async (request) => balanceToProto(await getBalance(db, { accountId: request.accountId })),
    async createAccount(request) {
      const account = await createAccount(db, request);
      log.info(
        { actorAccountId: request.actorAccountId, accountId: account.id, parentId: request.parentId },
        'account created',
      );
      return { account: accountToProto(account) };
    },
    getAccount: async (request) => ({ account: accountToProto(await getAccount(db, request)) }),
    async listAccounts(request) {
      const page = await listAccounts(db, request);
      return { accounts: page.accounts.map(accountToProto), nextCursor: page.nextCursor };
    },
    async updateAccount(request) {
      const account = await updateAccount(db, accountChangeFromProto(request));
      kickRelay();
      log.info(
        { actorAccountId: request.actorAccountId, accountId: request.accountId, status: request.status },
        'account updated',
      );
      return { account: accountToProto(account) };
    },
    async setPrices(request) {
      const prices = await setPrices(db, {
        actorAccountId: request.actorAccountId,
        accountId: request.accountId,
        prices: pricesFromProto(request.prices),
      });
      log.info({ actorAccountId: request.actorAccountId, accountId: request.accountId }, 'prices set');
      return { prices: priceListToProto(prices) };
    },
    getPrices: async (request) => ({ prices: priceListToProto(await getPrices(db, request)) }),
    async transferCredit(request) {
      const { account, actor } = await transferCredit(db, request);
      log.info(
        {
          actorAccountId: request.actorAccountId,
          accountId: request.accountId,
          amountMinor: request.amountMinor,
        },
        'credit transferred',
      );
      return { account: accountToProto(account), actor: accountToProto(actor) };
    },
    async createKey(request) {
      const { key, secret } = await createKey(db, newKeyFromProto(request));
      log.info({ actorAccountId: request.actorAccountId, accountId: request.accountId }, 'API key created');
      return { key: keyToProto(key), secret };
    },
    listKeys: async (request) => ({ keys: (await listKeys(db, request)).map(keyToProto) }),
    async rotateKey(request) {
      const { key, secret } = await rotateKey(db, request);
      log.info(
        { actorAccountId: request.actorAccountId, accountId: request.accountId, keyId: request.keyId },
        'API key rotated',
      );
      return { key: keyToProto(key), secret };
    },
    async revokeKey(request) {
      const key = await revokeKey(db, request, kickRelay);
      log.info(
        { actorAccountId: request.actorAccountId, accountId: request.accountId, keyId: request.keyId },
        'API key revoked',
      );
      return { key: keyToProto(key) };
    },
    getUsage: async (request) => usageToProto(await getUsage(db, request)),
  };
}
