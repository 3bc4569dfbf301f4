import { type AccessChangedEvent, Topics } from '@wagate/contracts';
import { decodeCursor, encodeCursor, pageSize } from '@wagate/db';
import { prefixedId } from '@wagate/ids';
import { enqueueEvents } from '@wagate/outbox';
import { DomainError, ErrorKey } from '@wagate/errors';
import { type Kysely, sql } from 'kysely';
import type { AccountKind, AccountRow, AccountStatus, BillingTables } from '../db/tables.js';
import { enqueueRevocations } from '../keys/key-service.js';
import {
  EXTERNAL_ACCOUNT,
  lockAccounts,
  postTransaction,
  readAccounts,
  unrolledMinor,
  withUnrolledBalance,
} from '../ledger/ledger.js';
import { quotaPeriods } from '../reservations/quota-periods.js';
import { managedAccount, pathOfChild, visibleAccount } from './tree.js';

const MAX_MARKUP_BPS = 1_000_000;

/** An account the actor creates under itself or one of its descendants. */
export interface NewAccount {
  actorAccountId: string;
  parentId: string;
  name: string;
  /** Checked here: reseller or customer. */
  kind: string;
  markupBps: number;
}

/** Which account, seen by whom: another tree's account reads like a missing one. */
export interface AccountRef {
  actorAccountId: string;
  accountId: string;
}

export interface AccountQuery {
  actorAccountId: string;
  /** Empty: every descendant. */
  parentId: string;
  /** Empty: any status. */
  status: string;
  limit: number;
  cursor: string;
}

export interface AccountPage {
  accounts: AccountRow[];
  /** Empty on the last page. */
  nextCursor: string;
}

/**
 * What to change of a descendant; absent fields stay. A negative credit limit or quota
 * removes it.
 */
export interface AccountChange extends AccountRef {
  name?: string;
  /** Checked here: active, suspended or closed. */
  status?: string;
  markupBps?: number;
  creditLimitMinor?: string;
  dailyQuota?: number;
  monthlyQuota?: number;
}

/** Minor units from the actor to its direct child (negative: back from the child). */
export interface CreditTransfer extends AccountRef {
  amountMinor: string;
  memo: string;
}

/** Creates an account under the actor (or under one of its descendants). */
export async function createAccount(db: Kysely<BillingTables>, request: NewAccount): Promise<AccountRow> {
  const { account: parent } = await visibleAccount(db, request.actorAccountId, request.parentId);
  if (parent.kind === 'customer') {
    throw new DomainError(ErrorKey.Forbidden, 'only the platform and resellers have sub-accounts');
  }
  if (parent.status !== 'active') {
    throw new DomainError(ErrorKey.Conflict, `the parent account is ${parent.status}`);
  }
  if (request.kind !== 'reseller' && request.kind !== 'customer') {
    throw new DomainError(ErrorKey.Invalid, 'kind must be "reseller" or "customer"');
  }
  assertMarkup(request.markupBps);
  const id = prefixedId('account');
  return db
    .insertInto('accounts')
    .values({
      id,
      name: request.name,
      parent_id: parent.id,
      kind: request.kind as AccountKind,
      status: 'active',
      path: pathOfChild(parent.path, id),
      depth: parent.depth + 1,
      currency: parent.currency,
      markup_bps: request.markupBps,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getAccount(db: Kysely<BillingTables>, request: AccountRef): Promise<AccountRow> {
  const { account } = await visibleAccount(db, request.actorAccountId, request.accountId);
  return account;
}

const isAccountCursor = (key: readonly string[]): key is [string] =>
  key.length === 1 && /^acc_\w+$/.test(key[0]!);

/** The actor's descendants, oldest first: account ids sort by creation time (keyset on the id). */
export async function listAccounts(db: Kysely<BillingTables>, request: AccountQuery): Promise<AccountPage> {
  const { actor } = await visibleAccount(db, request.actorAccountId, '');
  const after = decodeCursor(request.cursor, isAccountCursor);
  const limit = pageSize(request.limit);
  let query = db
    .selectFrom('accounts')
    .selectAll()
    .select((eb) => unrolledMinor(eb).as('unrolled_minor'))
    .where('path', 'like', `${actor.path}%`)
    .where('id', '!=', actor.id);
  if (request.parentId) {
    await visibleAccount(db, request.actorAccountId, request.parentId);
    query = query.where('parent_id', '=', request.parentId);
  }
  if (request.status) query = query.where('status', '=', request.status as AccountStatus);
  if (after) query = query.where('id', '>', after[0]);
  const rows = await query
    .orderBy('id')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit).map(withUnrolledBalance);
  const last = page.at(-1);
  return {
    accounts: page,
    nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : '',
  };
}

/**
 * Changes a descendant. Suspending blocks sending and the keys of the account's whole subtree
 * until it is reactivated; closing is final, revokes the account's keys, and needs every child
 * closed first. Both are announced so api replicas drop cached keys at once.
 */
export async function updateAccount(db: Kysely<BillingTables>, request: AccountChange): Promise<AccountRow> {
  const { account } = await managedAccount(db, request.actorAccountId, request.accountId);
  const status = request.status as AccountStatus | undefined;
  if (status !== undefined && !['active', 'suspended', 'closed'].includes(status)) {
    throw new DomainError(ErrorKey.Invalid, 'status must be "active", "suspended" or "closed"');
  }
  if (account.status === 'closed') throw new DomainError(ErrorKey.Conflict, 'a closed account cannot change');
  if (request.markupBps !== undefined) assertMarkup(request.markupBps);

  return db.transaction().execute(async (trx) => {
    await lockAccounts(trx, [account.id]);
    if (status === 'closed') {
      const openChild = await trx
        .selectFrom('accounts')
        .select('id')
        .where('parent_id', '=', account.id)
        .where('status', '!=', 'closed')
        .executeTakeFirst();
      if (openChild) {
        throw new DomainError(ErrorKey.Conflict, `close the sub-account "${openChild.id}" first`);
      }
    }
    const updated = await trx
      .updateTable('accounts')
      .set({
        ...(request.name !== undefined ? { name: request.name } : {}),
        ...(status !== undefined ? { status } : {}),
        ...(request.markupBps !== undefined ? { markup_bps: request.markupBps } : {}),
        ...(request.creditLimitMinor !== undefined
          ? { credit_limit_minor: BigInt(request.creditLimitMinor) < 0n ? null : request.creditLimitMinor }
          : {}),
        ...(request.dailyQuota !== undefined
          ? { daily_quota: request.dailyQuota < 0 ? null : request.dailyQuota }
          : {}),
        ...(request.monthlyQuota !== undefined
          ? { monthly_quota: request.monthlyQuota < 0 ? null : request.monthlyQuota }
          : {}),
      })
      .where('id', '=', account.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await startQuotaCounters(trx, account, request);
    if (status !== undefined && status !== account.status) await announceStatus(trx, updated);
    const [current] = await readAccounts(trx, [account.id]);
    return current!;
  });
}

/** Moves credit between the actor and a direct child; the platform's credit comes from outside. */
export async function transferCredit(
  db: Kysely<BillingTables>,
  request: CreditTransfer,
): Promise<{ account: AccountRow; actor: AccountRow }> {
  const { actor, account } = await managedAccount(db, request.actorAccountId, request.accountId);
  if (account.parent_id !== actor.id) {
    throw new DomainError(ErrorKey.Conflict, 'credit moves between an account and its direct parent only');
  }
  const amount = BigInt(request.amountMinor);
  if (amount === 0n) throw new DomainError(ErrorKey.Invalid, 'amountMinor must not be zero');
  if (account.status === 'closed') throw new DomainError(ErrorKey.Conflict, 'the account is closed');
  // The platform is where money enters: what it hands out was paid to it outside wagate.
  const source = actor.kind === 'platform' ? EXTERNAL_ACCOUNT : actor.id;
  return db.transaction().execute(async (trx) => {
    const locked = new Map((await lockAccounts(trx, [actor.id, account.id])).map((row) => [row.id, row]));
    const payer =
      amount > 0n ? (source === EXTERNAL_ACCOUNT ? undefined : locked.get(actor.id)) : locked.get(account.id);
    // Credit moved away must be the payer's own money: held funds and credit limit stay put.
    if (payer && BigInt(payer.balance_minor) - BigInt(payer.held_minor) < (amount > 0n ? amount : -amount)) {
      throw new DomainError(
        ErrorKey.BillingError,
        `account "${payer.id}" has ${BigInt(payer.balance_minor) - BigInt(payer.held_minor)} available, less than ${amount > 0n ? amount : -amount}`,
      );
    }
    await postTransaction(trx, {
      kind: 'transfer',
      memo: request.memo,
      postings: [
        { accountId: source, amountMinor: -amount },
        { accountId: account.id, amountMinor: amount },
      ],
    });
    const rows = await readAccounts(trx, [actor.id, account.id]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return { account: byId.get(account.id)!, actor: byId.get(actor.id)! };
  });
}

function assertMarkup(markupBps: number): void {
  if (!Number.isInteger(markupBps) || markupBps < 0 || markupBps > MAX_MARKUP_BPS) {
    throw new DomainError(ErrorKey.Invalid, `markupBps must be a whole number from 0 to ${MAX_MARKUP_BPS}`);
  }
}

/**
 * A quota set now counts what the subtree already sent this period, so setting a quota in the
 * middle of a day does not hand out a fresh day's worth.
 */
async function startQuotaCounters(
  trx: Kysely<BillingTables>,
  account: AccountRow,
  request: AccountChange,
): Promise<void> {
  const { day, month } = quotaPeriods(new Date());
  const periods = [
    ...(request.dailyQuota !== undefined && request.dailyQuota >= 0 && account.daily_quota === null
      ? [{ period: day, since: new Date(`${day}T00:00:00Z`) }]
      : []),
    ...(request.monthlyQuota !== undefined && request.monthlyQuota >= 0 && account.monthly_quota === null
      ? [{ period: month, since: new Date(`${month}-01T00:00:00Z`) }]
      : []),
  ];
  for (const { period, since } of periods) {
    const { used } = await trx
      .selectFrom('reservations')
      .select(sql<string>`count(*)`.as('used'))
      .where('account_path', 'like', `${account.path}%`)
      .where('created_at', '>=', since)
      .where('state', '!=', 'released')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('quota_counters')
      .values({ account_id: account.id, period, used: Number(used) })
      .onConflict((conflict) =>
        conflict.columns(['account_id', 'period']).doUpdateSet({ used: Number(used) }),
      )
      .execute();
  }
}

async function announceStatus(trx: Kysely<BillingTables>, account: AccountRow): Promise<void> {
  if (account.status === 'closed') {
    const keys = await trx
      .updateTable('api_keys')
      .set({ revoked_at: new Date() })
      .where('account_id', '=', account.id)
      .where('revoked_at', 'is', null)
      .returning(['id', 'account_id', 'key_hash'])
      .execute();
    await enqueueRevocations(trx, keys);
  }
  const reason: AccessChangedEvent['reason'] =
    account.status === 'active'
      ? 'account.reactivated'
      : account.status === 'closed'
        ? 'account.closed'
        : 'account.suspended';
  await enqueueEvents(trx, [
    {
      topic: Topics.accessChanged,
      id: `account-status:${account.id}:${account.status}:${Date.now()}`,
      key: account.id,
      data: { accountId: account.id, reason } satisfies AccessChangedEvent,
    },
  ]);
}
