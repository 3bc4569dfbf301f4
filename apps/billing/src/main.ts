import { runServiceProcess } from '@wagate/runtime';
import { migrateBillingSchema, startBilling } from './billing-service.js';
import { billingVariables } from './config.js';
import { dispatchMessageFinder } from './grpc/dispatch-client.js';

await runServiceProcess({
  name: 'billing',
  variables: billingVariables,
  migrate: migrateBillingSchema,
  async start({ database, bus, internalPlane, config }) {
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
