import { createLogger } from '@wagate/telemetry';
import { type Kysely, sql } from 'kysely';
import type { BillingTables } from '../db/tables.js';
import { addToBalances, billingTable } from './ledger.js';

const log = createLogger('billing');

/** Key of the transaction-level advisory lock that lets one billing replica roll up at a time. */
const ROLLUP_LOCK_KEY = 7_340_517_001n;

export interface RollUpResult {
  /** Account rows written (each once, however many postings it had). */
  accounts: number;
  /** Unrolled postings moved into those rows. */
  postings: number;
}

/**
 * Moves unrolled postings into their accounts' `balance_minor`: in one transaction, deletes up
 * to `limit` of them, sums them per account and adds each sum to its row (rows locked in id
 * order, as every writer does). An account's balance (`balance_minor` + its unrolled postings)
 * is the same before and after. With several billing replicas, an advisory lock lets one roll
 * up at a time; the others' turn finds it taken and does nothing.
 */
export async function rollUpBalances(db: Kysely<BillingTables>, limit = 100_000): Promise<RollUpResult> {
  return db.transaction().execute(async (trx) => {
    const { rows: locks } = await sql<{ taken: boolean }>`
      select pg_try_advisory_xact_lock(${String(ROLLUP_LOCK_KEY)}::bigint) as taken
    `.execute(trx);
    if (!locks[0]?.taken) return { accounts: 0, postings: 0 };
    const { rows: sums } = await sql<{ account_id: string; amount: string; postings: number }>`
      with claimed as (
        delete from ${billingTable('unrolled_postings')}
        where id in (
          select id from ${billingTable('unrolled_postings')} order by id limit ${limit} for update skip locked
        )
        returning account_id, amount_minor
      )
      select account_id, sum(amount_minor)::bigint as amount, count(*)::int as postings
      from claimed group by account_id order by account_id
    `.execute(trx);
    if (sums.length === 0) return { accounts: 0, postings: 0 };
    const ids = sums.map((sum) => sum.account_id);
    await trx.selectFrom('accounts').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute();
    await addToBalances(trx, new Map(sums.map((sum) => [sum.account_id, BigInt(sum.amount)])));
    return { accounts: sums.length, postings: sums.reduce((total, sum) => total + Number(sum.postings), 0) };
  });
}

/**
 * Rolls up every `everyMs` (and again at once while a turn finds a full batch). Each turn
 * writes an ancestor's row once, so the platform's row is written a few times a second,
 * whatever the number of messages.
 */
export function startBalanceRollup(
  db: Kysely<BillingTables>,
  options: { everyMs: number; onRollUp?: (result: RollUpResult) => void },
): { stop(): Promise<void> } {
  const limit = 100_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let turn: Promise<void> = Promise.resolve();
  const run = () => {
    turn = rollUpBalances(db, limit)
      .then((result) => {
        options.onRollUp?.(result);
        return result.postings >= limit;
      })
      .catch((error: unknown) => {
        log.warn({ err: error }, 'balance roll-up failed; retrying on the next turn');
        return false;
      })
      .then((more) => {
        if (!stopped) timer = setTimeout(run, more ? 0 : options.everyMs);
      });
  };
  timer = setTimeout(run, options.everyMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await turn;
    },
  };
}
