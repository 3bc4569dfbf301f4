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
 * Expires jobs still queued past their message's validity (from acceptance): the job is done
 * and an EXPIRED status with 2011 goes out, so billing releases the reservation and the tenant's
 * callback says so. Only queued jobs: an offered one may already be out on a device, and its
 * result decides it. Fleet owns the hand-out, so expiring and offering cannot both happen to a job.
 */
export async function expireOverdueJobs(
  db: Kysely<FleetTables>,
  nowMs = Date.now(),
  defaultValiditySeconds = DEFAULT_VALIDITY_SECONDS,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const deadline = sql<number>`(payload->>'acceptedAtMs')::bigint + coalesce(nullif((payload->>'validitySeconds')::int, 0), ${defaultValiditySeconds}) * 1000`;
    const expired = await trx
      .updateTable('jobs')
      .set({ state: 'done', updated_at: new Date() })
      .where('state', '=', 'queued')
      .where(deadline, '<=', nowMs)
      .returning(['message_id', 'account_id'])
      .execute();
    for (const job of expired) {
      await enqueueStatus(trx, {
        messageId: job.message_id,
        accountId: job.account_id,
        status: 'EXPIRED',
        errorCode: StatusErrorCode.ValidityExpiredInQueue,
        atMs: nowMs,
        source: 'fleet:validity',
        rule: 'validity',
        reason: 'not sent within its validity',
      });
    }
    return expired.length;
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
