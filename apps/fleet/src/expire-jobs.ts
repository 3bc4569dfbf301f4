import { StatusErrorCode } from '@wagate/errors';
import { type Pump, startPump } from '@wagate/outbox';
import { createLogger } from '@wagate/telemetry';
import { type Kysely, sql } from 'kysely';
import type { FleetTables } from './db/tables.js';
import { enqueueStatus } from './device-reports.js';

const log = createLogger('fleet:validity');

/** How long a message without `validity` may wait: the contract's "one day". */
export const DEFAULT_VALIDITY_SECONDS = 86_400;

/**
 * A device that has sent no heartbeat for this long is gone, not busy: no send on it can still
 * be in progress (a send, even on a slow phone, ends within a couple of minutes), and as fleet no
 * longer offers the job, its agent will not start it again.
 */
export const DEFAULT_SILENT_DEVICE_MS = 5 * 60_000;

/**
 * When a job's message stops being worth sending (ms since the epoch): its acceptance plus its
 * validity, or `defaultValiditySeconds` when it has none. With the default validity this is the
 * expression of the `jobs_deadline` index (migrations.ts), so the sweep reads only the jobs past
 * it, not every queued job's payload: the queue may hold a whole backlog (a farm offline for
 * hours) and the sweep runs every 5 s. The default is written out as a literal: a parameter
 * matches the index only in a plan made for its value.
 */
export function jobDeadline(defaultValiditySeconds = DEFAULT_VALIDITY_SECONDS) {
  return sql<number>`(payload->>'acceptedAtMs')::bigint + coalesce(nullif((payload->>'validitySeconds')::int, 0), ${sql.lit(defaultValiditySeconds)}) * 1000`;
}

/**
 * Expires jobs not sent within their message's validity (from acceptance): the job is done and
 * an EXPIRED status with 2011 goes out, so billing releases the reservation and the tenant's
 * callback says so.
 * - A queued job: nobody has it. Fleet owns the hand-out, so expiring and offering cannot both
 *   happen to it.
 * - An offered job only once its device has been silent for `silentDeviceMs`: it may be out on
 *   that device, and while the device lives its result decides. It is never offered to another
 *   device (that could send it twice); a device that went away for good would hold it forever,
 *   so past validity it expires instead. If the device did send it, its late result is ignored
 *   (the job is done): the tenant hears EXPIRED for a message that may have gone out once,
 *   never a message sent twice.
 */
export async function expireOverdueJobs(
  db: Kysely<FleetTables>,
  nowMs = Date.now(),
  defaultValiditySeconds = DEFAULT_VALIDITY_SECONDS,
  silentDeviceMs = DEFAULT_SILENT_DEVICE_MS,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const deadline = jobDeadline(defaultValiditySeconds);
    const queued = await trx
      .updateTable('jobs')
      .set({ state: 'done', updated_at: new Date() })
      .where('state', '=', 'queued')
      .where(deadline, '<=', nowMs)
      .returning(['message_id', 'account_id'])
      .execute();
    const heardSince = new Date(nowMs - silentDeviceMs);
    const stranded = await trx
      .updateTable('jobs')
      .set({ state: 'done', updated_at: new Date() })
      .where('state', '=', 'offered')
      .where(deadline, '<=', nowMs)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('devices')
              .select('devices.id')
              .whereRef('devices.id', '=', 'jobs.device_id')
              .where('devices.last_seen_at', '>', heardSince),
          ),
        ),
      )
      .returning(['message_id', 'account_id'])
      .execute();
    const expire = async (jobs: typeof queued, reason: string) => {
      for (const job of jobs) {
        await enqueueStatus(trx, {
          messageId: job.message_id,
          accountId: job.account_id,
          status: 'EXPIRED',
          errorCode: StatusErrorCode.ValidityExpiredInQueue,
          atMs: nowMs,
          source: 'fleet:validity',
          rule: 'validity',
          reason,
        });
      }
    };
    await expire(queued, 'not sent within its validity');
    await expire(stranded, 'not confirmed sent within its validity: its device went silent');
    return queued.length + stranded.length;
  });
}

export function startValiditySweep(db: Kysely<FleetTables>, onExpired: () => void, pollMs = 5_000): Pump {
  return startPump({
    async drainOnce() {
      const count = await expireOverdueJobs(db);
      if (count > 0) {
        log.info({ count }, 'expired jobs not sent within their validity');
        onExpired();
      }
    },
    pollMs,
    onError: (error) => log.error({ err: error }, 'validity sweep failed'),
  });
}
