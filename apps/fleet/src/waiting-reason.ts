import type { Kysely } from 'kysely';
import type { ConnectedDevice, DeviceSessions } from './agents/device-sessions.js';
import type { FleetTables } from './db/tables.js';
import type { ContactKind, DevicePacer } from './pacing.js';

/** Why a message fleet holds has not gone out yet, in words a tenant can act on. */
export interface WaitingReason {
  /** Stable name: `conversation-order`, `no-device`, `pacing`, `warm-up`, `new-contact-cap`, `device-busy`, `next-in-line`, `sending`. */
  rule: string;
  reason: string;
  /** When the wait ends, when fleet can tell (a pace, a new day). */
  untilMs?: number;
}

/**
 * Explains the wait of one message of `accountId` from the job queue and the devices this
 * process holds, the same way the scheduler decides (job-scheduler.ts): an earlier message to
 * the same recipient goes first; the recipient's own number, or else any number of the
 * sender's pool, must be connected and accepting, have credit and be free of its pace. It is
 * read when asked, not stored: the answer is what holds the message now. With several fleet
 * replicas, a device held by another replica reads as not connected here.
 * Undefined when fleet has no job for the message (not handed over yet, or already done).
 */
export async function waitingReason(
  db: Kysely<FleetTables>,
  sessions: DeviceSessions,
  pacer: DevicePacer,
  accountId: string,
  messageId: string,
): Promise<WaitingReason | undefined> {
  const job = await db
    .selectFrom('jobs')
    .select(['seq', 'state', 'sender_id', 'recipient', 'device_id'])
    .where('message_id', '=', messageId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!job || job.state === 'done') return undefined;
  if (job.state === 'offered') {
    return {
      rule: 'sending',
      reason: `offered to device ${job.device_id}, which has not reported its result yet`,
    };
  }
  const earlier = await db
    .selectFrom('jobs')
    .select('message_id')
    .where('sender_id', '=', job.sender_id)
    .where('recipient', '=', job.recipient)
    .where('state', 'in', ['queued', 'offered'])
    .where('seq', '<', job.seq)
    .orderBy('seq')
    .executeTakeFirst();
  if (earlier) {
    return {
      rule: 'conversation-order',
      reason: `an earlier message to the same recipient (${earlier.message_id}) goes first: one conversation is sent in acceptance order`,
    };
  }

  const sticky = await db
    .selectFrom('contacts')
    .select('device_id')
    .where('sender_id', '=', job.sender_id)
    .where('recipient', '=', job.recipient)
    .executeTakeFirst();
  const poolIds = sticky
    ? [sticky.device_id]
    : (await db.selectFrom('devices').select('id').where('sender_id', '=', job.sender_id).execute()).map(
        (row) => row.id,
      );
  const serving = poolIds
    .map((id) => sessions.get(id))
    .filter((device): device is ConnectedDevice => device !== undefined && device.accepting !== false);
  if (serving.length === 0) {
    return {
      rule: 'no-device',
      reason: sticky
        ? `the number this recipient talks to (device ${sticky.device_id}) is not connected or not accepting jobs; the message waits for it`
        : `no device of the sender's pool (${poolIds.length} in all) is connected and accepting jobs`,
    };
  }

  const kind: ContactKind = sticky ? 'known' : 'new';
  const now = pacer.now();
  const limits = serving.map((device) => pacer.limitOf(device, kind));
  const soonest = limits.reduce((best, limit) => (limit.freeAtMs < best.freeAtMs ? limit : best));
  if (soonest.freeAtMs > now && Number.isFinite(soonest.freeAtMs)) {
    return { rule: soonest.rule, reason: soonest.reason, untilMs: soonest.freeAtMs };
  }
  if (serving.every((device) => device.credits <= 0)) {
    return { rule: 'device-busy', reason: 'every number that may send it is busy sending another message' };
  }
  return { rule: 'next-in-line', reason: 'a number is free: the scheduler hands it over on its next pass' };
}
