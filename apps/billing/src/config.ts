import { env } from '@wagate/config';
import { serviceVariables } from '@wagate/runtime';

/** Every variable the billing process reads, once at start (docs/configuration.md). */
export const billingVariables = {
  ...serviceVariables('billing', 50_051),
  WAGATE_DEV_API_KEY: env.string({
    optional: true,
    minLength: 16,
    description: 'Until the accounts CLI lands: creates the demo account with this API key.',
  }),
  DISPATCH_ADDRESS: env.address({
    default: '127.0.0.1:50053',
    description: 'Dispatch, asked which messages of old reservations it holds (the others are released).',
  }),
  WAGATE_RESERVATION_SWEEP_AFTER_MS: env.int({
    default: 5 * 60_000,
    min: 1_000,
    unit: 'milliseconds',
    description: 'A reservation this old whose message dispatch never accepted is released.',
  }),
  WAGATE_RESERVATION_SWEEP_EVERY_MS: env.int({
    default: 60_000,
    min: 100,
    unit: 'milliseconds',
    description: 'How often old reservations are swept.',
  }),
  WAGATE_BALANCE_ROLLUP_EVERY_MS: env.int({
    default: 250,
    min: 10,
    unit: 'milliseconds',
    description:
      "How often what ancestors earned (unrolled postings) is rolled into their accounts' rows: each such row is written about this often, whatever the message rate.",
  }),
};
