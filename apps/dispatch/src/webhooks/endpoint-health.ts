import { eventId, Topics, type WebhookEndpointDisabledEvent } from '@wagate/contracts';
import { enqueueEvents } from '@wagate/outbox';
import { type Kysely, sql } from 'kysely';
import type { DispatchTables } from '../db/tables.js';
import { GIVE_UP_AFTER_MS } from './retry-schedule.js';

/**
 * An endpoint is an account's callback origin (scheme and authority): a receiver that is down
 * is down for every path, and the origin is already the unit of the worker's concurrency limit.
 * It is per account, so one tenant's dead endpoint never disables another tenant's on the same host.
 *
 * With no successful delivery for `DISABLE_AFTER_MS` while attempts kept failing, the endpoint is
 * disabled: its callbacks are no longer POSTed but settled `failed` (kept, and replayable), and
 * `webhook.endpoint.disabled` is announced. The default matches the retry horizon, so a callback
 * queued when the endpoint started failing has been given its full 3 days.
 */
export const DISABLE_AFTER_MS = GIVE_UP_AFTER_MS;

/** Scheme and authority, lower case: the unit of the per-endpoint limit and of endpoint health. */
export function originOf(url: ReturnType<typeof sql.ref>) {
  return sql<string>`lower(substring(${url} from '^[^:/]+://[^/?#]+'))`;
}

export function urlOrigin(url: string): string {
  const match = /^[^:/]+:\/\/[^/?#]+/.exec(url);
  return (match?.[0] ?? url).toLowerCase();
}

export function endpointKey(accountId: string, origin: string): string {
  return `${accountId} ${origin}`;
}

export function disabledError(endpointId: string, failingSince: Date): string {
  return (
    `endpoint disabled: no successful delivery since ${failingSince.toISOString()}; ` +
    `enable it with POST /v1/webhooks/endpoints/ep_${endpointId}/enable`
  );
}

/** A 2xx ends any failing streak. */
export async function recordEndpointSuccess(
  db: Kysely<DispatchTables>,
  accountId: string,
  origin: string,
  at: Date,
): Promise<void> {
  await db
    .insertInto('webhook_endpoints')
    .values({
      account_id: accountId,
      origin,
      last_success_at: at,
      last_failure_at: null,
      failing_since: null,
      last_error: null,
      disabled_at: null,
    })
    .onConflict((oc) =>
      oc
        .columns(['account_id', 'origin'])
        .doUpdateSet({ last_success_at: at, failing_since: null, consecutive_failures: 0 }),
    )
    .execute();
}

/**
 * Counts a failed attempt in the caller's transaction; when the streak has lasted `disableAfterMs`,
 * disables the endpoint, settles its pending callbacks as failed and queues the event. Answers
 * whether it disabled the endpoint now (so the caller can wake the outbox relay).
 */
export async function recordEndpointFailure(
  trx: Kysely<DispatchTables>,
  accountId: string,
  origin: string,
  failure: string,
  at: Date,
  disableAfterMs: number,
): Promise<boolean> {
  const endpoint = await trx
    .insertInto('webhook_endpoints')
    .values({
      account_id: accountId,
      origin,
      last_success_at: null,
      last_failure_at: at,
      failing_since: at,
      consecutive_failures: 1,
      last_error: failure,
      disabled_at: null,
    })
    .onConflict((oc) =>
      oc.columns(['account_id', 'origin']).doUpdateSet({
        last_failure_at: at,
        failing_since: sql<Date>`coalesce(webhook_endpoints.failing_since, ${at})`,
        consecutive_failures: sql<number>`webhook_endpoints.consecutive_failures + 1`,
        last_error: failure,
      }),
    )
    .returning(['id', 'failing_since', 'disabled_at', 'consecutive_failures'])
    .executeTakeFirstOrThrow();
  const failingSince = endpoint.failing_since ?? at;
  if (endpoint.disabled_at !== null || at.getTime() - failingSince.getTime() < disableAfterMs) return false;

  await trx.updateTable('webhook_endpoints').set({ disabled_at: at }).where('id', '=', endpoint.id).execute();
  // Held back now rather than when each comes due, so the failed list shows them at once.
  await trx
    .updateTable('callbacks')
    .set({ state: 'failed', lease_until: null, last_error: disabledError(endpoint.id, failingSince) })
    .where('account_id', '=', accountId)
    .where('state', '=', 'pending')
    .where(originOf(sql.ref('url')), '=', origin)
    .execute();
  const event: WebhookEndpointDisabledEvent = {
    accountId,
    endpointId: `ep_${endpoint.id}`,
    origin,
    failingSinceMs: failingSince.getTime(),
    disabledAtMs: at.getTime(),
    consecutiveFailures: endpoint.consecutive_failures,
    lastError: failure,
  };
  await enqueueEvents(trx, [
    {
      topic: Topics.webhookEndpointDisabled,
      id: eventId.webhookEndpointDisabled(event.endpointId, event.disabledAtMs),
      key: accountId,
      data: event,
    },
  ]);
  return true;
}

/** The disabled endpoints among those of `rows`, by `endpointKey`, with the error their callbacks get. */
export async function disabledEndpointsOf(
  db: Kysely<DispatchTables>,
  rows: readonly { account_id: string; url: string }[],
): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map();
  const found = await db
    .selectFrom('webhook_endpoints')
    .select(['id', 'account_id', 'origin', 'failing_since', 'disabled_at'])
    .where('disabled_at', 'is not', null)
    .where(
      'account_id',
      'in',
      rows.map((row) => row.account_id),
    )
    .where(
      'origin',
      'in',
      rows.map((row) => urlOrigin(row.url)),
    )
    .execute();
  return new Map(
    found.map((endpoint) => [
      endpointKey(endpoint.account_id, endpoint.origin),
      disabledError(endpoint.id, endpoint.failing_since ?? endpoint.disabled_at!),
    ]),
  );
}
