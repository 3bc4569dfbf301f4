import {
  createLogger,
  defineInstruments,
  observeGauges,
  SECONDS_BUCKETS,
  secondsSince,
} from '@wagate/telemetry';
import { type Kysely, sql } from 'kysely';
import type { DispatchTables } from './db/tables.js';

/**
 * Dispatch's instruments (docs/operations.md lists them). Labels are fixed vocabularies
 * (statuses, error codes, rule names, attempt outcomes): never an account, recipient or URL.
 */
export const dispatchMetrics = defineInstruments('dispatch', (meter) => ({
  policyRefusals: meter.createCounter('wagate.policy.refusals', {
    description: 'Messages refused at accept by a policy rule, by rule and error code',
  }),
  statusTransitions: meter.createCounter('wagate.message.status_transitions', {
    description: 'Message statuses recorded, by status and error code (0 for none)',
  }),
  acceptToSent: meter.createHistogram('wagate.message.accept_to_sent_seconds', {
    description: 'From acceptance by the api to SENT reported by the device',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  }),
  sentToDelivered: meter.createHistogram('wagate.message.sent_to_delivered_seconds', {
    description: 'From SENT to DELIVERED, as the device reported them',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  }),
  callbackAttempts: meter.createCounter('wagate.webhooks.attempts', {
    description:
      'Status callback POSTs by outcome: delivered, retry (will try again), failed (refused for good), dead (gave up)',
  }),
}));

const log = createLogger('dispatch:metrics');

/**
 * Dispatch's gauges, read at scrape time through indexed queries: messages waiting for a
 * device and the oldest of them, callbacks pending and the oldest, endpoints disabled or
 * failing right now.
 */
export function observeDispatch(db: Kysely<DispatchTables>): () => void {
  return observeGauges(
    'dispatch',
    {
      'wagate.messages.waiting': { description: 'Messages accepted and not yet sent (status ACCEPTED)' },
      'wagate.messages.oldest_waiting_age_seconds': {
        description: 'Age of the oldest message accepted and not yet sent',
        unit: 's',
      },
      'wagate.webhooks.callbacks_pending': { description: 'Status callbacks waiting for delivery' },
      'wagate.webhooks.oldest_pending_age_seconds': {
        description: 'Age of the oldest status callback waiting for delivery',
        unit: 's',
      },
      'wagate.webhooks.endpoints_disabled': {
        description: 'Webhook endpoints disabled after failing for days',
      },
      'wagate.webhooks.endpoints_failing': {
        description: 'Webhook endpoints whose last attempts failed (failing since a time, not disabled)',
      },
    },
    async (record) => {
      const now = Date.now();
      const waiting = await db
        .selectFrom('messages')
        .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.min('accepted_at').as('oldest')])
        .where('status', '=', 'ACCEPTED')
        .executeTakeFirst();
      record('wagate.messages.waiting', Number(waiting?.count ?? 0));
      record('wagate.messages.oldest_waiting_age_seconds', secondsSince(waiting?.oldest as Date | null, now));
      const callbacks = await db
        .selectFrom('callbacks')
        .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.min('created_at').as('oldest')])
        .where('state', '=', 'pending')
        .executeTakeFirst();
      record('wagate.webhooks.callbacks_pending', Number(callbacks?.count ?? 0));
      record(
        'wagate.webhooks.oldest_pending_age_seconds',
        secondsSince(callbacks?.oldest as Date | null, now),
      );
      const endpoints = await db
        .selectFrom('webhook_endpoints')
        .select([
          sql<string>`count(*) filter (where disabled_at is not null)`.as('disabled'),
          sql<string>`count(*) filter (where disabled_at is null and failing_since is not null)`.as(
            'failing',
          ),
        ])
        .executeTakeFirst();
      record('wagate.webhooks.endpoints_disabled', Number(endpoints?.disabled ?? 0));
      record('wagate.webhooks.endpoints_failing', Number(endpoints?.failing ?? 0));
    },
    (error) => log.warn({ err: error }, 'reading the dispatch gauges failed'),
  );
}
