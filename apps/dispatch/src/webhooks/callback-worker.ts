import { type LookupAll, type OutboundUrlOptions, resolveAndCheck } from '@wagate/config';
import { type Pump, startPump } from '@wagate/outbox';
import { contextFromHeaders, contextWithAccount, createLogger, inSpan, SpanKind } from '@wagate/telemetry';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { CallbacksTable, DispatchTables } from '../db/tables.js';
import {
  DISABLE_AFTER_MS,
  disabledEndpointsOf,
  endpointKey,
  originOf,
  recordEndpointFailure,
  recordEndpointSuccess,
  urlOrigin,
} from './endpoint-health.js';
import { postPinned } from './post.js';
import { GIVE_UP_AFTER_MS, isRetryableStatus, retryAfterMs, retryDelayMs } from './retry-schedule.js';
import { webhookHeaders } from './signature.js';
import type { WebhookSecrets } from './webhook-secrets.js';
import { dispatchMetrics } from '../metrics.js';

const log = createLogger('dispatch:callbacks');
const ATTEMPT_TIMEOUT_MS = 10_000;
/** Longer than an attempt can take, so a live delivery is never claimed twice. */
const LEASE_MS = 30_000;
const PER_ORIGIN_LIMIT = 4;
const MAX_IN_FLIGHT = 64;
/** Rows looked at per claim; saturated origins are skipped before the limit applies. */
const CLAIM_WINDOW = 500;

export type CallbackWorker = Pump;

export interface CallbackWorkerOptions extends OutboundUrlOptions {
  /** The accounts' signing secrets (sealed at rest). */
  secrets: Pick<WebhookSecrets, 'signing'>;
  pollMs?: number;
  /** Resolver for endpoint hosts (default `dns.lookup`); tests inject one. */
  lookup?: LookupAll;
  attemptTimeoutMs?: number;
  perOriginLimit?: number;
  maxInFlight?: number;
  /** No successful delivery for this long while attempts fail disables the endpoint (default 3 days). */
  disableAfterMs?: number;
  /** The clock endpoint health is kept by; tests move it days ahead. */
  now?: () => Date;
  /** Called after an endpoint was disabled, so the outbox relay publishes the event now. */
  onEventsQueued?: () => void;
}

type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; failure: string; retryAfter?: number }
  | { kind: 'failed'; failure: string };

/**
 * Delivers status callbacks from the `callbacks` table, at least once. A row is leased (not
 * held in a transaction) while its POST is in flight, so a slow endpoint never holds a
 * database connection, and a crash mid-delivery only means the lease runs out and the row is
 * tried again with the same `webhook-id`. Per message, a later status waits until the earlier
 * one is settled.
 *
 * Endpoints are isolated: at most `perOriginLimit` POSTs per origin are in flight, claiming
 * skips origins at their limit, and a pass never waits for a POST, so a slow or dead endpoint
 * delays only its own callbacks.
 */
export function startCallbackWorker(
  db: Kysely<DispatchTables>,
  options: CallbackWorkerOptions,
): CallbackWorker {
  const perOriginLimit = options.perOriginLimit ?? PER_ORIGIN_LIMIT;
  const maxInFlight = options.maxInFlight ?? MAX_IN_FLIGHT;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS;
  const disableAfterMs = options.disableAfterMs ?? DISABLE_AFTER_MS;
  const now = options.now ?? (() => new Date());
  const inFlightByOrigin = new Map<string, number>();
  const running = new Set<Promise<void>>();
  // Stopping aborts POSTs in flight: their rows are simply tried again later (at least once).
  const stopping = new AbortController();

  async function claimDue(room: number) {
    const saturated = [...inFlightByOrigin]
      .filter(([, count]) => count >= perOriginLimit)
      .map(([origin]) => origin);
    return claimDueCallbacks(db, { room, perOriginLimit, saturated }).execute();
  }

  async function attempt(row: Selectable<CallbacksTable>): Promise<Outcome> {
    let url: URL;
    try {
      url = new URL(row.url);
    } catch {
      return { kind: 'failed', failure: 'not a URL' };
    }
    // Resolved and checked before every attempt, and the POST goes to the address checked.
    const check = await resolveAndCheck(row.url, options);
    if (!check.ok) {
      return check.retryable
        ? { kind: 'retry', failure: check.reason }
        : { kind: 'failed', failure: `refused: ${check.reason}` };
    }
    const secrets = await options.secrets.signing(row.account_id);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'wagate-callbacks/1',
      ...webhookHeaders(secrets, `cb_${row.id}`, row.body),
    };
    try {
      const [address] = check.addresses;
      if (!address) return { kind: 'retry', failure: 'no address' };
      const response = await postPinned(url, address, headers, row.body, attemptTimeoutMs, stopping.signal);
      if (response.status >= 200 && response.status < 300)
        return { kind: 'delivered', status: response.status };
      const failure = `HTTP ${response.status}`;
      if (!isRetryableStatus(response.status)) return { kind: 'failed', failure };
      return { kind: 'retry', failure, retryAfter: retryAfterMs(response.retryAfter) };
    } catch (error) {
      return { kind: 'retry', failure: (error as Error).message };
    }
  }

  async function deliver(row: Selectable<CallbacksTable>): Promise<void> {
    await inSpan(
      'dispatch.callback.deliver',
      {
        kind: SpanKind.CLIENT,
        parent: contextWithAccount(contextFromHeaders({ traceparent: row.traceparent }), row.account_id),
        attributes: { 'wagate.message_id': row.message_id, 'wagate.callback.attempt': row.attempts },
      },
      async (span) => {
        const outcome = await attempt(row);
        const origin = urlOrigin(row.url);
        if (outcome.kind === 'delivered') {
          dispatchMetrics().callbackAttempts.add(1, { outcome: 'delivered' });
          span.setAttribute('http.response.status_code', outcome.status);
          // One transaction, as for a failure: whoever sees the callback delivered also sees the
          // endpoint's failing streak ended (GET /v1/webhooks/failed, the disable rule).
          await db.transaction().execute(async (trx) => {
            await trx
              .updateTable('callbacks')
              .set({ state: 'delivered', delivered_at: new Date(), lease_until: null, last_error: null })
              .where('id', '=', row.id)
              .execute();
            await recordEndpointSuccess(trx, row.account_id, origin, now());
          });
          return;
        }
        const givingUp = outcome.kind === 'retry' && Date.now() - row.created_at.getTime() > GIVE_UP_AFTER_MS;
        const state = outcome.kind === 'failed' ? 'failed' : givingUp ? 'dead' : 'pending';
        const delay = outcome.kind === 'retry' ? (outcome.retryAfter ?? retryDelayMs(row.attempts)) : 0;
        dispatchMetrics().callbackAttempts.add(1, { outcome: state === 'pending' ? 'retry' : state });
        log.warn(
          {
            callbackId: row.id,
            messageId: row.message_id,
            attempts: row.attempts,
            failure: outcome.failure,
            state,
          },
          'callback failed',
        );
        const disabled = await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('callbacks')
            .set({
              state,
              next_attempt_at: new Date(Date.now() + delay),
              lease_until: null,
              last_error: outcome.failure,
            })
            .where('id', '=', row.id)
            .execute();
          // An attempt cut short by stopping says nothing about the endpoint.
          if (stopping.signal.aborted) return false;
          return recordEndpointFailure(trx, row.account_id, origin, outcome.failure, now(), disableAfterMs);
        });
        if (disabled) {
          log.warn({ accountId: row.account_id, origin }, 'webhook endpoint disabled');
          options.onEventsQueued?.();
        }
      },
    );
  }

  function start(row: Selectable<CallbacksTable>): void {
    const origin = urlOrigin(row.url);
    inFlightByOrigin.set(origin, (inFlightByOrigin.get(origin) ?? 0) + 1);
    const task = deliver(row)
      .catch((error) => log.error({ err: error, callbackId: row.id }, 'callback delivery failed'))
      .finally(() => {
        const left = (inFlightByOrigin.get(origin) ?? 1) - 1;
        if (left <= 0) inFlightByOrigin.delete(origin);
        else inFlightByOrigin.set(origin, left);
        running.delete(task);
        // A freed slot may let this origin's next callback (or this message's next status) go.
        pump.kick();
      });
    running.add(task);
  }

  /** A callback of a disabled endpoint is kept as failed, unattempted, to be replayed once it is enabled. */
  async function holdBack(row: Selectable<CallbacksTable>, error: string): Promise<void> {
    await db
      .updateTable('callbacks')
      .set({ state: 'failed', lease_until: null, attempts: sql`attempts - 1`, last_error: error })
      .where('id', '=', row.id)
      .execute();
  }

  async function release(row: Selectable<CallbacksTable>): Promise<void> {
    await db
      .updateTable('callbacks')
      .set({ lease_until: null, attempts: sql`attempts - 1` })
      .where('id', '=', row.id)
      .execute();
  }

  const pump = startPump({
    pollMs: options.pollMs ?? 500,
    async drainOnce() {
      for (;;) {
        const room = maxInFlight - running.size;
        if (room <= 0) return;
        const claimed = await claimDue(room);
        if (claimed.length === 0) return;
        // Held-back rows count as progress too: the next claim may find more.
        let progressed = 0;
        const disabled = await disabledEndpointsOf(db, claimed);
        for (const row of claimed) {
          const disabledError = disabled.get(endpointKey(row.account_id, urlOrigin(row.url)));
          if (disabledError !== undefined) {
            await holdBack(row, disabledError);
            progressed++;
          }
          // Claiming ranks rows per origin without knowing what is already in flight here.
          else if ((inFlightByOrigin.get(urlOrigin(row.url)) ?? 0) >= perOriginLimit) await release(row);
          else {
            start(row);
            progressed++;
          }
        }
        if (progressed === 0) return;
      }
    },
    onError: (error) => log.error({ err: error }, 'callback worker pass failed'),
  });

  return {
    kick: pump.kick,
    flush: pump.flush,
    async stop() {
      await pump.stop();
      stopping.abort(new Error('callback worker stopping'));
      await Promise.allSettled([...running]);
    },
  };
}

/**
 * The callback queue's claim: due pending rows, oldest first, skipping a message's later
 * statuses while an earlier one is pending and origins already at their limit, leased in one
 * statement. It reads only pending rows, through partial indexes on `state = 'pending'` (by id,
 * and by message for the earlier-status check), so its plan depends neither on the table's
 * statistics nor on how many settled rows it holds (test/claim-plans.test.ts shows the plan).
 */
export function claimDueCallbacks(
  db: Kysely<DispatchTables>,
  { room, perOriginLimit, saturated }: { room: number; perOriginLimit: number; saturated: string[] },
) {
  return db
    .with('candidates', (qb) =>
      qb
        .selectFrom('callbacks as c')
        .select(['c.id', originOf(sql.ref('c.url')).as('origin')])
        .where('c.state', '=', 'pending')
        .where('c.next_attempt_at', '<=', sql<Date>`now()`)
        .where((eb) => eb.or([eb('c.lease_until', 'is', null), eb('c.lease_until', '<', sql<Date>`now()`)]))
        .$if(saturated.length > 0, (q) => q.where(originOf(sql.ref('c.url')), 'not in', saturated))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('callbacks as earlier')
                .select('earlier.id')
                .whereRef('earlier.message_id', '=', 'c.message_id')
                .where('earlier.state', '=', 'pending')
                .whereRef('earlier.id', '<', 'c.id'),
            ),
          ),
        )
        .orderBy('c.id')
        .limit(CLAIM_WINDOW)
        .forUpdate()
        .skipLocked(),
    )
    .with('ranked', (qb) =>
      qb
        .selectFrom('candidates')
        .select(['id', sql<number>`row_number() over (partition by origin order by id)`.as('rank')]),
    )
    .updateTable('callbacks')
    .set({ lease_until: sql`now() + ${`${LEASE_MS} milliseconds`}::interval`, attempts: sql`attempts + 1` })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('ranked')
        .select('ranked.id')
        // Round-robin across origins: every origin's oldest rows before any origin's next ones.
        .where('ranked.rank', '<=', perOriginLimit)
        .orderBy('ranked.rank')
        .orderBy('ranked.id')
        .limit(room),
    )
    .returningAll();
}
