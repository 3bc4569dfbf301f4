import { readConfig } from '@wagate/config';
import { runServiceProcess } from '@wagate/runtime';
import { z } from 'zod';
import { migrateBillingSchema, startBilling } from './billing-service.js';

await runServiceProcess({
  name: 'billing',
  defaultGrpcPort: 50051,
  migrate: migrateBillingSchema,
  async start({ database, bus }) {
    const config = readConfig({
      // Until the accounts CLI lands, this creates the demo account with this key.
      WAGATE_DEV_API_KEY: z.string().min(16, 'WAGATE_DEV_API_KEY must be at least 16 characters').optional(),
    });
    const billing = await startBilling({ database, bus });
    if (config.WAGATE_DEV_API_KEY) await billing.ensureDemoAccount(config.WAGATE_DEV_API_KEY);
    return { grpc: [billing.grpc], stop: billing.stop };
  },
});
