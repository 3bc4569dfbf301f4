import { env, readConfig } from '@wagate/config';
import { runServiceProcess } from '@wagate/runtime';
import { z } from 'zod';
import { migrateBillingSchema, startBilling } from './billing-service.js';
import { dispatchMessageFinder } from './reservations/sweep-unaccepted.js';

await runServiceProcess({
  name: 'billing',
  defaultGrpcPort: 50051,
  migrate: migrateBillingSchema,
  async start({ database, bus, internalPlane }) {
    const config = readConfig({
      // Until the accounts CLI lands, this creates the demo account with this key.
      WAGATE_DEV_API_KEY: z.string().min(16, 'WAGATE_DEV_API_KEY must be at least 16 characters').optional(),
      // Dispatch is asked which old reservations' messages it holds; the others are released.
      DISPATCH_ADDRESS: env.address('127.0.0.1:50053'),
      WAGATE_RESERVATION_SWEEP_AFTER_MS: z.coerce
        .number()
        .int()
        .min(1_000)
        .default(5 * 60_000),
      WAGATE_RESERVATION_SWEEP_EVERY_MS: z.coerce.number().int().min(100).default(60_000),
      // How often ancestors' earnings (unrolled postings) are rolled into their rows.
      WAGATE_BALANCE_ROLLUP_EVERY_MS: z.coerce.number().int().min(10).default(250),
    });
    const billing = await startBilling({
      database,
      bus,
      unacceptedSweep: {
        findMessages: dispatchMessageFinder(config.DISPATCH_ADDRESS, internalPlane),
        olderThanMs: config.WAGATE_RESERVATION_SWEEP_AFTER_MS,
        everyMs: config.WAGATE_RESERVATION_SWEEP_EVERY_MS,
      },
      rollupEveryMs: config.WAGATE_BALANCE_ROLLUP_EVERY_MS,
    });
    if (config.WAGATE_DEV_API_KEY) await billing.ensureDemoAccount(config.WAGATE_DEV_API_KEY);
    return { grpc: [billing.grpc], stop: billing.stop };
  },
});
