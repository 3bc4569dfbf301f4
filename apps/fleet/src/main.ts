import { readConfig } from '@wagate/config';
import { runServiceProcess } from '@wagate/runtime';
import { z } from 'zod';
import { startFleet } from './fleet-service.js';

await runServiceProcess({
  name: 'fleet',
  defaultGrpcPort: 50054,
  async start({ database, bus }) {
    const config = readConfig({
      WAGATE_ENROLMENT_TOKEN: z.string().min(8, 'WAGATE_ENROLMENT_TOKEN must be at least 8 characters'),
      // Until enrolment through /v1 lands, devices that connect join this sender of this account.
      WAGATE_DEFAULT_ACCOUNT: z.string().optional(),
      WAGATE_DEFAULT_SENDER: z.string().optional(),
    });
    const service = await startFleet({ database, bus, enrolmentToken: config.WAGATE_ENROLMENT_TOKEN });
    if (config.WAGATE_DEFAULT_ACCOUNT && config.WAGATE_DEFAULT_SENDER) {
      await service.ensureDefaultSender(config.WAGATE_DEFAULT_ACCOUNT, config.WAGATE_DEFAULT_SENDER);
    }
    return { grpc: service.grpc, stop: service.stop };
  },
});
