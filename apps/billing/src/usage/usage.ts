import type { billing } from '@wagate/contracts';
import { DomainError, ErrorKey } from '@wagate/errors';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { visibleAccount } from '../accounts/tree.js';
import type { BillingTables } from '../db/tables.js';

export const usageDimensions = ['day', 'account', 'sender', 'status', 'country'] as const;
type Dimension = (typeof usageDimensions)[number];

const dimensionColumn: Record<Dimension, RawBuilder<string>> = {
  day: sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`,
  account: sql<string>`account_id`,
  sender: sql<string>`sender`,
  status: sql<string>`last_status`,
  country: sql<string>`country`,
};
const dimensionField: Record<Dimension, keyof billing.UsageRow> = {
  day: 'day',
  account: 'accountId',
  sender: 'sender',
  status: 'status',
  country: 'country',
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 400;

/**
 * Messages and what they cost over an account's whole subtree (a reseller sees its customers
 * rolled up), grouped by the dimensions asked for. Every message accepted counts once, under
 * its latest status; `amountMinor` is what the sending accounts paid for the captured ones.
 */
export async function getUsage(
  db: Kysely<BillingTables>,
  request: billing.GetUsageRequest,
): Promise<billing.GetUsageResponse> {
  const { account } = await visibleAccount(db, request.actorAccountId, request.accountId);
  for (const [name, value] of [
    ['from', request.fromDay],
    ['to', request.toDay],
  ] as const) {
    if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
      throw new DomainError(ErrorKey.Invalid, `${name} must be a date such as 2026-12-01`);
    }
  }
  const from = new Date(`${request.fromDay}T00:00:00Z`);
  const until = new Date(Date.parse(`${request.toDay}T00:00:00Z`) + 86_400_000);
  if (until <= from) throw new DomainError(ErrorKey.Invalid, 'to must not be before from');
  if (until.getTime() - from.getTime() > MAX_DAYS * 86_400_000) {
    throw new DomainError(ErrorKey.Invalid, `ask for at most ${MAX_DAYS} days at a time`);
  }
  const unknown = request.groupBy.filter((name) => !(usageDimensions as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new DomainError(
      ErrorKey.Invalid,
      `groupBy takes ${usageDimensions.join(', ')}; not ${unknown.join(', ')}`,
    );
  }
  const dimensions = usageDimensions.filter((name) => request.groupBy.includes(name));

  let query = db
    .selectFrom('reservations')
    .select([
      sql<string>`count(*)`.as('messages'),
      sql<string>`coalesce(sum(case when state = 'captured' then amount_minor else 0 end), 0)`.as(
        'amount_minor',
      ),
      ...dimensions.map((name) => dimensionColumn[name].as(name)),
    ])
    .where('account_path', 'like', `${account.path}%`)
    .where('created_at', '>=', from)
    .where('created_at', '<', until);
  for (const name of dimensions) query = query.groupBy(dimensionColumn[name]).orderBy(dimensionColumn[name]);
  const rows = (await query.execute()) as Array<Record<string, string>>;
  return {
    currency: account.currency,
    rows: rows.map((row) => {
      const out: billing.UsageRow = {
        day: '',
        accountId: '',
        sender: '',
        status: '',
        country: '',
        messages: row.messages!,
        amountMinor: row.amount_minor!,
      };
      for (const name of dimensions) (out[dimensionField[name]] as string) = row[name] ?? '';
      return out;
    }),
  };
}
