import { randomUUID } from 'node:crypto';
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { BILLING_SCHEMA, type BillingTables } from '../db/tables.js';

/** The ledger account money from outside comes from (a platform top-up) and goes back to. */
export const EXTERNAL_ACCOUNT = '@external';

/** A billing table in raw SQL (the schema plugin qualifies only what the query builder writes). */
export const billingTable = (name: keyof BillingTables) => sql.table(`${BILLING_SCHEMA}.${name}`);

export type LedgerEntryKind = 'charge' | 'transfer';

export interface Posting {
  accountId: string;
  /** Signed: negative leaves the account. */
  amountMinor: bigint;
}

/** One balanced ledger transaction: its postings sum to zero. */
export interface LedgerTransaction {
  kind: LedgerEntryKind;
  messageId?: string;
  memo?: string;
  postings: readonly Posting[];
}

/**
 * What a row's `balance_minor` does not hold yet: the account's unrolled postings (credits of
 * captures that did not lock its row; see rollup.ts). An account's balance is always
 * `balance_minor + unrolled`, read in ONE statement so a roll-up committing meanwhile is seen
 * either wholly or not at all.
 */
export function unrolledMinor(eb: ExpressionBuilder<BillingTables, 'accounts'>) {
  return eb
    .selectFrom('unrolled_postings')
    .select(sql<string>`coalesce(sum(unrolled_postings.amount_minor), 0)::bigint`.as('unrolled'))
    .whereRef('unrolled_postings.account_id', '=', 'accounts.id')
    .$asScalar();
}

/**
 * Writes one balanced transaction: its postings sum to zero (or it throws, writing nothing)
 * and each account's balance moves by exactly its postings, in the caller's database
 * transaction. The caller has locked the accounts' rows (in id order, as every writer does).
 */
export async function postTransaction(
  trx: Kysely<BillingTables>,
  transaction: LedgerTransaction,
): Promise<string> {
  const [transactionId] = await postTransactions(trx, [transaction], { applyTo: () => true });
  return transactionId!;
}

/**
 * Writes many balanced transactions with one statement per table: every ledger entry; the
 * balance change of each account whose row the caller locked (`applyTo`), applied to its row;
 * and, for every other account, ONE unrolled posting per account for the whole set (what the
 * roll-up adds to its row later). The rows of the accounts that are not applied to are never
 * touched here, so concurrent callers never wait on them.
 */
export async function postTransactions(
  trx: Kysely<BillingTables>,
  transactions: readonly LedgerTransaction[],
  options: {
    applyTo: (accountId: string) => boolean;
    /** Changes of held funds on locked rows, written by the same statement as their balances. */
    heldChange?: ReadonlyMap<string, bigint>;
  },
): Promise<string[]> {
  const entries: Array<{ transactionId: string; posting: Posting; transaction: LedgerTransaction }> = [];
  const ids = transactions.map((transaction) => {
    const postings = transaction.postings.filter((posting) => posting.amountMinor !== 0n);
    const total = postings.reduce((sum, posting) => sum + posting.amountMinor, 0n);
    if (total !== 0n) throw new Error(`unbalanced ledger transaction: postings sum to ${total}`);
    const transactionId = randomUUID();
    for (const posting of postings) entries.push({ transactionId, posting, transaction });
    return transactionId;
  });
  if (entries.length > 0) await insertEntries(trx, entries);
  const applied = new Map<string, bigint>();
  const unrolled = new Map<string, bigint>();
  for (const { posting } of entries) {
    if (posting.accountId === EXTERNAL_ACCOUNT) continue;
    const into = options.applyTo(posting.accountId) ? applied : unrolled;
    into.set(posting.accountId, (into.get(posting.accountId) ?? 0n) + posting.amountMinor);
  }
  await addToBalances(trx, applied, options.heldChange);
  const deferred = [...unrolled].filter(([, amount]) => amount !== 0n);
  if (deferred.length > 0) {
    await sql`
      insert into ${billingTable('unrolled_postings')} (account_id, amount_minor)
      select * from unnest(
        ${deferred.map(([accountId]) => accountId)}::text[],
        ${deferred.map(([, amount]) => String(amount))}::bigint[]
      )
    `.execute(trx);
  }
  return ids;
}

async function insertEntries(
  trx: Kysely<BillingTables>,
  entries: ReadonlyArray<{ transactionId: string; posting: Posting; transaction: LedgerTransaction }>,
): Promise<void> {
  await sql`
    insert into ${billingTable('ledger_entries')} (transaction_id, account_id, amount_minor, kind, message_id, memo)
    select * from unnest(
      ${entries.map((entry) => entry.transactionId)}::text[],
      ${entries.map((entry) => entry.posting.accountId)}::text[],
      ${entries.map((entry) => String(entry.posting.amountMinor))}::bigint[],
      ${entries.map((entry) => entry.transaction.kind)}::text[],
      ${entries.map((entry) => entry.transaction.messageId ?? null)}::bigint[],
      ${entries.map((entry) => entry.transaction.memo ?? '')}::text[]
    )
  `.execute(trx);
}

/** Moves accounts' `balance_minor` (and `held_minor`, by `held`) in one statement; the caller locked the rows. */
export async function addToBalances(
  trx: Kysely<BillingTables>,
  balance: ReadonlyMap<string, bigint>,
  held: ReadonlyMap<string, bigint> = new Map(),
): Promise<void> {
  const ids = [...new Set([...balance.keys(), ...held.keys()])].filter(
    (id) => (balance.get(id) ?? 0n) !== 0n || (held.get(id) ?? 0n) !== 0n,
  );
  if (ids.length === 0) return;
  await sql`
    update ${billingTable('accounts')} as accounts set
      balance_minor = accounts.balance_minor + change.balance,
      held_minor = accounts.held_minor + change.held
    from unnest(
      ${ids}::text[],
      ${ids.map((id) => String(balance.get(id) ?? 0n))}::bigint[],
      ${ids.map((id) => String(held.get(id) ?? 0n))}::bigint[]
    ) as change(id, balance, held)
    where accounts.id = change.id
  `.execute(trx);
}

/**
 * Locks accounts' rows for a balance change, always in id order so writers never deadlock, and
 * reads them once locked. `balance_minor` of the rows returned is the account's balance (its
 * unrolled postings included). The read is a statement of its own, after the lock: a row lock
 * waited for re-reads the row's newest version but not a subquery beside it, so one statement
 * could count a roll-up twice — once in the row, once in postings it had just removed.
 */
export async function lockAccounts(trx: Kysely<BillingTables>, accountIds: Iterable<string>) {
  const ids = [...new Set(accountIds)].filter((id) => id !== EXTERNAL_ACCOUNT).sort();
  if (ids.length === 0) return [];
  const locked = await trx
    .selectFrom('accounts')
    .selectAll()
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
  // Only an account with sub-accounts earns unrolled postings: a customer's locked row is its balance.
  const earning = locked.filter((row) => row.kind !== 'customer').map((row) => row.id);
  if (earning.length === 0) return locked;
  const balances = new Map((await readAccounts(trx, earning)).map((row) => [row.id, row]));
  return locked.map((row) => balances.get(row.id) ?? row);
}

/** Accounts' rows with `balance_minor` as the account's balance (unrolled postings included), in one statement. */
export async function readAccounts(db: Kysely<BillingTables>, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('accounts')
    .selectAll()
    .select((eb) => unrolledMinor(eb).as('unrolled_minor'))
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
  return rows.map(withUnrolledBalance);
}

/** A row read with `unrolledMinor`, as the account's balance: `balance_minor` holds the sum. */
export function withUnrolledBalance<Row extends { balance_minor: string; unrolled_minor: string | null }>({
  unrolled_minor,
  ...row
}: Row): Omit<Row, 'unrolled_minor'> {
  return { ...row, balance_minor: String(BigInt(row.balance_minor) + BigInt(unrolled_minor ?? 0)) };
}
