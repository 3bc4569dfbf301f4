import { runServiceProcess } from '@wagate/runtime';
import { startBilling } from './billing-service.js';

await runServiceProcess({
  name: 'billing',
  defaultGrpcPort: 50051,
  async start({ database, bus }) {
    const billing = await startBilling({ database, bus });
    return { grpc: [billing.grpc], stop: billing.stop };
  },
});
