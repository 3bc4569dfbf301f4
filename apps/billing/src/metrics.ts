import { createLogger, defineInstruments, observeGauges } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import type { BillingTables } from './db/tables.js';

/**
 * Billing's instruments (docs/operations.md lists them). Refusals are labelled by their
 * error key (a fixed catalogue), never by account.
 */
export const billingMetrics = defineInstruments('billing', (meter) => ({
  reserves: meter.createCounter('wagate.billing.reserves', {
    description: 'Messages reserved (funds and quota held)',
  }),
  refusals: meter.createCounter('wagate.billing.refusals', {
    description: 'Messages billing refused to reserve, by error key',
  }),
  captures: meter.createCounter('wagate.billing.captures', {
    description: 'Reservations captured (the message was sent)',
  }),
  releases: meter.createCounter('wagate.billing.releases', {
    description: 'Reservations released (failed, expired or never handed to dispatch)',
  }),
}));

/** The ledger sum is a scan of every entry: read at most this often, whatever the scrape interval. */
const LEDGER_READ_EVERY_MS = 60_000;
const log = createLogger('billing:metrics');

/**
 * `wagate.billing.ledger_imbalance_minor`: the sum of every ledger entry, in minor units. Every
 * transaction is written balanced, so anything but 0 means money was created or lost: the
 * alert LedgerImbalance pages on it.
 */
export function observeBilling(db: Kysely<BillingTables>): () => void {
  let last: { atMs: number; sum: number } | undefined;
  return observeGauges(
    'billing',
    {
      'wagate.billing.ledger_imbalance_minor': {
        description: 'Sum of all ledger entries in minor units; must read 0',
      },
    },
    async (record) => {
      if (!last || Date.now() - last.atMs >= LEDGER_READ_EVERY_MS) {
        const row = await db
          .selectFrom('ledger_entries')
          .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('amount_minor'), eb.val('0')).as('sum'))
          .executeTakeFirst();
        last = { atMs: Date.now(), sum: Number(row?.sum ?? 0) };
      }
      record('wagate.billing.ledger_imbalance_minor', last.sum);
    },
    (error) => log.warn({ err: error }, 'reading the ledger sum failed'),
  );
}
