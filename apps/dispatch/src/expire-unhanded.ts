import type { MessageStatusEvent } from '@wagate/contracts';
import { MessageStatus, StatusErrorCode } from '@wagate/errors';
import { type Kysely, sql } from 'kysely';
import type { DispatchTables } from './db/tables.js';
import { applyAndAnnounceStatuses } from './record-status.js';

/** A message without `validity` may wait one day (the contract's default; fleet uses the same). */
const DEFAULT_VALIDITY_SECONDS = 86_400;

/**
 * How long past its deadline a message must still be ACCEPTED before dispatch decides it never
 * reached fleet. Fleet expires what waits in its queue (2011) within seconds of the deadline, so
 * a message fleet queued has its EXPIRED long before; one still ACCEPTED this late was lost on
 * the way, or sits offered to a device that went silent (see docs/decisions.md).
 */
export const UNHANDED_GRACE_MS = 10 * 60_000;

/**
 * 2010: a message whose validity ran out before it reached fleet — still ACCEPTED (no status
 * from fleet or a device) `UNHANDED_GRACE_MS` after its deadline, as when its announcement was
 * lost and redrive could not bring it over in time. It expires here, in the caller's
 * transaction: history `EXPIRED` with `rule: "validity"`, its callback, and a status event so
 * billing releases it. 2011 stays fleet's: expired while queued for a device.
 */
export async function expireUnhandedMessages(
  trx: Kysely<DispatchTables>,
  batchSize: number,
  nowMs = Date.now(),
): Promise<{ expired: number; callbacksQueued: boolean }> {
  const deadline = sql<Date>`accepted_at + coalesce(nullif((payload->>'validitySeconds')::int, 0), ${DEFAULT_VALIDITY_SECONDS}) * interval '1 second'`;
  const rows = await trx
    .selectFrom('messages')
    .select(['id', 'account_id'])
    .where('status', '=', 'ACCEPTED')
    .where(deadline, '<', new Date(nowMs - UNHANDED_GRACE_MS))
    .orderBy('accepted_at')
    .limit(batchSize)
    .forUpdate()
    .skipLocked()
    .execute();
  if (rows.length === 0) return { expired: 0, callbacksQueued: false };
  const events: MessageStatusEvent[] = rows.map((row) => ({
    messageId: row.id,
    accountId: row.account_id,
    status: MessageStatus.Expired,
    errorCode: StatusErrorCode.ValidityExpired,
    atMs: nowMs,
    source: 'dispatch:validity',
    rule: 'validity',
    reason: 'its validity ran out before it reached a device queue',
  }));
  const callbacksQueued = await applyAndAnnounceStatuses(trx, events, {});
  return { expired: rows.length, callbacksQueued };
}
