import type { dispatch } from '@wagate/contracts';
import { DomainError, ErrorKey } from '@wagate/errors';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { DispatchTables, WebhookEndpointsTable } from '../db/tables.js';
import { originOf } from './endpoint-health.js';
import { requeued, SETTLED_UNDELIVERED } from './failed-callbacks.js';

const INT8_MAX = 9_223_372_036_854_775_807n;

/** Every endpoint the account's callbacks went to, oldest first. */
export async function listWebhookEndpoints(
  db: Kysely<DispatchTables>,
  request: dispatch.ListWebhookEndpointsRequest,
): Promise<dispatch.ListWebhookEndpointsResponse> {
  const rows = await db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('account_id', '=', request.accountId)
    .orderBy('id')
    .execute();
  return { endpoints: rows.map(toWebhookEndpoint) };
}

/**
 * Enables the endpoint and forgets its failing streak, so it gets the full period again. With
 * `replayFailed`, its failed and dead callbacks queued since it started failing (those held
 * back while it was disabled among them) are queued again with their webhook-ids.
 */
export async function enableWebhookEndpoint(
  db: Kysely<DispatchTables>,
  request: dispatch.EnableWebhookEndpointRequest,
): Promise<dispatch.EnableWebhookEndpointResponse> {
  const id = /^ep_(\d{1,19})$/.exec(request.endpointId)?.[1];
  const notFound = new DomainError(ErrorKey.NotFound, `no webhook endpoint ${request.endpointId}`);
  if (id === undefined || BigInt(id) > INT8_MAX) throw notFound;
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', id)
      .where('account_id', '=', request.accountId)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound;
    const endpoint = await trx
      .updateTable('webhook_endpoints')
      .set({ disabled_at: null, failing_since: null, consecutive_failures: 0 })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    let replayed = 0;
    if (request.replayFailed && before.failing_since !== null) {
      const result = await trx
        .updateTable('callbacks')
        .set(requeued())
        .where('account_id', '=', request.accountId)
        .where('state', 'in', SETTLED_UNDELIVERED)
        .where(originOf(sql.ref('url')), '=', before.origin)
        .where('created_at', '>=', before.failing_since)
        .executeTakeFirst();
      replayed = Number(result.numUpdatedRows);
    }
    return { endpoint: toWebhookEndpoint(endpoint), replayed };
  });
}

function toWebhookEndpoint(row: Selectable<WebhookEndpointsTable>): dispatch.WebhookEndpoint {
  const ms = (at: Date | null) => String(at?.getTime() ?? 0);
  return {
    endpointId: `ep_${row.id}`,
    origin: row.origin,
    lastSuccessAtMs: ms(row.last_success_at),
    lastFailureAtMs: ms(row.last_failure_at),
    failingSinceMs: ms(row.failing_since),
    consecutiveFailures: row.consecutive_failures,
    lastError: row.last_error ?? '',
    disabledAtMs: ms(row.disabled_at),
  };
}
