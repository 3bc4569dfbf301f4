import type { MessageAcceptedEvent } from '@wagate/contracts';
import { enqueueEvents, type Pump, startPump } from '@wagate/outbox';
import { createLogger } from '@wagate/telemetry';
import { type Kysely, sql } from 'kysely';
import { acceptedEvents } from './accept.js';
import type { DispatchTables } from './db/tables.js';
import { expireUnhandedMessages } from './expire-unhanded.js';

const log = createLogger('dispatch:redrive');

/**
 * The bus is transport, not truth: JetStream can lose acknowledged writes on a machine crash,
 * and the embedded in-process bus loses whatever was in flight when the process died. A
 * message still ACCEPTED after `staleMs` is announced to fleet again (at most every
 * `staleMs`); fleet queues a job once per message, so a repeat costs one no-op insert.
 */
export function startRedrive(
  db: Kysely<DispatchTables>,
  onEnqueued: () => void,
  options: { staleMs?: number; batchSize?: number; onExpired?: () => void } = {},
): Pump {
  const staleMs = options.staleMs ?? 60_000;
  const batchSize = options.batchSize ?? 500;
  const stale = sql<Date>`now() - ${`${staleMs} milliseconds`}::interval`;

  async function redriveOnce(): Promise<void> {
    const { count, expired } = await db.transaction().execute(async (trx) => {
      // Past its validity and still not in fleet's hands: expire it (2010) rather than announce it again.
      const { expired } = await expireUnhandedMessages(trx, batchSize);
      const rows = await trx
        .selectFrom('messages')
        .select(['id', 'account_id', 'payload'])
        .where('status', '=', 'ACCEPTED')
        .where('accepted_at', '<', stale)
        .where((eb) => eb.or([eb('redriven_at', 'is', null), eb('redriven_at', '<', stale)]))
        .orderBy('accepted_at')
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return { count: 0, expired };
      // In each account's own events, oldest first (rows come by acceptance time); the sends'
      // traces are long over, so the announcements start new ones.
      const byAccount = Map.groupBy(rows, (row) => row.account_id);
      await enqueueEvents(
        trx,
        [...byAccount].flatMap(([accountId, ofAccount]) =>
          acceptedEvents(
            accountId,
            ofAccount.map((row) => ({ message: row.payload as unknown as MessageAcceptedEvent, trace: {} })),
          ),
        ),
      );
      await trx
        .updateTable('messages')
        .set({ redriven_at: new Date() })
        .where(
          'id',
          'in',
          rows.map((row) => row.id),
        )
        .execute();
      return { count: rows.length, expired };
    });
    if (expired > 0) {
      log.info({ expired }, 'expired messages whose validity ran out before they reached fleet');
      (options.onExpired ?? onEnqueued)();
    }
    if (count > 0) {
      log.info({ count }, 'announced messages again that made no progress');
      onEnqueued();
    }
  }

  return startPump({
    drainOnce: redriveOnce,
    pollMs: Math.max(staleMs / 2, 1_000),
    onError: (error) => log.error({ err: error }, 'redrive failed'),
  });
}
