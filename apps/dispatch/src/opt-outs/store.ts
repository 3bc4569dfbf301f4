import type { dispatch, MessageInboundEvent } from '@wagate/contracts';
import { pageOf, pageSize } from '@wagate/db';
import { DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { DispatchTables } from '../db/tables.js';
import { requireAccount } from '../require-account.js';
import { readCursor } from '../page-cursor.js';
import { digitsOf } from '../phone-digits.js';
import { startKeywordOf, stopKeywordOf } from './keywords.js';

/**
 * An inbound message that is a stop word puts its sender on the account's opt-out list; one
 * that is a start word takes them off. In the inbound's transaction, so a redelivered inbound
 * (already recorded) never gets here twice.
 */
export async function applyOptOutReply(
  trx: Kysely<DispatchTables>,
  event: MessageInboundEvent,
): Promise<void> {
  const recipient = digitsOf(event.from);
  if (recipient === '') return;
  const stop = stopKeywordOf(event.text);
  if (stop) {
    await insertOptOuts(trx, event.accountId, [recipient], 'inbound', stop, new Date(event.atMs));
  } else if (startKeywordOf(event.text)) {
    await trx
      .deleteFrom('opt_outs')
      .where('account_id', '=', event.accountId)
      .where('recipient', '=', recipient)
      .execute();
  }
}

/** Of `recipients`, those on the account's opt-out list, with when and how they opted out. */
export async function optedOut(
  db: Kysely<DispatchTables>,
  accountId: string,
  recipients: readonly string[],
): Promise<Map<string, { source: string; keyword: string | null; createdAt: Date }>> {
  if (recipients.length === 0) return new Map();
  const rows = await db
    .selectFrom('opt_outs')
    .select(['recipient', 'source', 'keyword', 'created_at'])
    .where('account_id', '=', accountId)
    .where('recipient', 'in', [...new Set(recipients)])
    .execute();
  return new Map(
    rows.map((row) => [
      row.recipient,
      { source: row.source, keyword: row.keyword, createdAt: row.created_at },
    ]),
  );
}

async function insertOptOuts(
  db: Kysely<DispatchTables>,
  accountId: string,
  recipients: readonly string[],
  source: 'inbound' | 'api',
  keyword: string | null,
  createdAt: Date,
): Promise<number> {
  const inserted = await db
    .insertInto('opt_outs')
    .values(
      [...new Set(recipients)].map((recipient) => ({
        account_id: accountId,
        recipient,
        source,
        keyword,
        created_at: createdAt,
      })),
    )
    .onConflict((conflict) => conflict.columns(['account_id', 'recipient']).doNothing())
    .returning('recipient')
    .execute();
  return inserted.length;
}

/** A recipient as the api hands it: digits only, as outbound recipients are validated. */
function recipientOf(raw: string): string {
  const recipient = digitsOf(raw);
  if (recipient.length < 5 || recipient.length > 15) {
    throw new DomainError(ErrorKey.Invalid, `"${raw}" is not a phone number (5–15 digits)`);
  }
  return recipient;
}

export async function addOptOuts(
  db: Kysely<DispatchTables>,
  request: dispatch.AddOptOutsRequest,
): Promise<dispatch.AddOptOutsResponse> {
  requireAccount(request.accountId);
  const recipients = request.recipients.map(recipientOf);
  if (recipients.length === 0) return { added: 0 };
  return { added: await insertOptOuts(db, request.accountId, recipients, 'api', null, new Date()) };
}

export async function removeOptOut(
  db: Kysely<DispatchTables>,
  request: dispatch.RemoveOptOutRequest,
): Promise<dispatch.RemoveOptOutResponse> {
  requireAccount(request.accountId);
  const removed = await db
    .deleteFrom('opt_outs')
    .where('account_id', '=', request.accountId)
    .where('recipient', '=', recipientOf(request.recipient))
    .executeTakeFirst();
  if (Number(removed.numDeletedRows) === 0) {
    throw new DomainError(ErrorKey.NotFound, `${request.recipient} is not on the opt-out list`);
  }
  return {};
}

/** One page of the account's opt-outs, newest first; the cursor is the last row's (time, recipient). */
export async function listOptOuts(
  db: Kysely<DispatchTables>,
  request: dispatch.ListOptOutsRequest,
): Promise<dispatch.ListOptOutsResponse> {
  requireAccount(request.accountId);
  const size = pageSize(request.limit);
  const after = readCursor(request.cursor, isOptOutKey);
  const rows = await db
    .selectFrom('opt_outs')
    .selectAll()
    .where('account_id', '=', request.accountId)
    .$if(after !== undefined, (query) =>
      query.where((eb) => {
        const at = new Date(Number(after![0]));
        return eb.or([
          eb('created_at', '<', at),
          eb.and([eb('created_at', '=', at), eb('recipient', '<', after![1])]),
        ]);
      }),
    )
    .orderBy('created_at', 'desc')
    .orderBy('recipient', 'desc')
    .limit(size + 1)
    .execute();
  const page = pageOf(rows, size, (row) => [String(row.created_at.getTime()), row.recipient]);
  return {
    optOuts: page.rows.map((row) => ({
      recipient: row.recipient,
      source: row.source,
      createdAtMs: String(row.created_at.getTime()),
      keyword: row.keyword ?? '',
    })),
    nextCursor: page.nextCursor,
  };
}

function isOptOutKey(key: readonly string[]): key is readonly [string, string] {
  return key.length === 2 && /^\d{1,15}$/.test(key[0]!) && /^\d{1,15}$/.test(key[1]!);
}
