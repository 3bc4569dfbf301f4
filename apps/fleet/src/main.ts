import { readConfig } from '@wagate/config';
import { runServiceProcess } from '@wagate/runtime';
import { z } from 'zod';
import { startFleet } from './fleet-service.js';
import { DEFAULT_PACING } from './pacing.js';

await runServiceProcess({
  name: 'fleet',
  defaultGrpcPort: 50054,
  async start({ database, bus }) {
    const config = readConfig({
      WAGATE_ENROLMENT_TOKEN: z.string().min(8, 'WAGATE_ENROLMENT_TOKEN must be at least 8 characters'),
      // Until enrolment through /v1 lands, devices that connect join this sender of this account.
      WAGATE_DEFAULT_ACCOUNT: z.string().optional(),
      WAGATE_DEFAULT_SENDER: z.string().optional(),
      // Per-number pacing (docs/pacing.md); the defaults protect real numbers from bans.
      WAGATE_PACING_NEW_CONTACT_GAP_MS: z.coerce
        .number()
        .int()
        .min(0)
        .default(DEFAULT_PACING.newContactGapMs),
      WAGATE_PACING_KNOWN_CONTACT_GAP_MS: z.coerce
        .number()
        .int()
        .min(0)
        .default(DEFAULT_PACING.knownContactGapMs),
      WAGATE_PACING_DAILY_NEW_CONTACTS: z.coerce
        .number()
        .int()
        .min(1)
        .default(DEFAULT_PACING.dailyNewContacts),
    });
    const service = await startFleet({
      database,
      bus,
      enrolmentToken: config.WAGATE_ENROLMENT_TOKEN,
      scheduler: {
        pacing: {
          newContactGapMs: config.WAGATE_PACING_NEW_CONTACT_GAP_MS,
          knownContactGapMs: config.WAGATE_PACING_KNOWN_CONTACT_GAP_MS,
          dailyNewContacts: config.WAGATE_PACING_DAILY_NEW_CONTACTS,
        },
      },
    });
    if (config.WAGATE_DEFAULT_ACCOUNT && config.WAGATE_DEFAULT_SENDER) {
      await service.ensureDefaultSender(config.WAGATE_DEFAULT_ACCOUNT, config.WAGATE_DEFAULT_SENDER);
    }
    return { grpc: service.grpc, stop: service.stop };
  },
});
