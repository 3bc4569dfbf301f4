import { env, readConfig } from '@wagate/config';
import { runServiceProcess } from '@wagate/runtime';
import { startDispatch } from './dispatch-service.js';

await runServiceProcess({
  name: 'dispatch',
  defaultGrpcPort: 50053,
  async start({ database, bus }) {
    const config = readConfig({
      FLEET_ADDRESS: env.address('127.0.0.1:50054'),
      // Callback URLs on loopback or private networks are refused unless allowed (SSRF guard).
      WAGATE_ALLOW_LOOPBACK_WEBHOOKS: env.bool(false),
      WAGATE_ALLOW_PRIVATE_WEBHOOKS: env.bool(false),
      // The same message (account, sender, recipient, content) again within this many seconds fails with 2009.
      WAGATE_DUPLICATE_WINDOW_SECONDS: env.int(300),
      // Every account's send rate; beyond it messages fail with 2301. 0 turns the limit off.
      WAGATE_ACCOUNT_RATE_PER_SECOND: env.int(0),
      WAGATE_ACCOUNT_RATE_BURST: env.int(0),
      // An endpoint with no successful delivery for this long (while failing) is disabled.
      WAGATE_WEBHOOK_DISABLE_AFTER_MS: env.int(3 * 24 * 3_600_000),
    });
    const service = await startDispatch({
      database,
      bus,
      fleetAddress: config.FLEET_ADDRESS,
      callbacks: {
        allowLoopback: config.WAGATE_ALLOW_LOOPBACK_WEBHOOKS,
        allowPrivate: config.WAGATE_ALLOW_PRIVATE_WEBHOOKS,
        disableAfterMs: config.WAGATE_WEBHOOK_DISABLE_AFTER_MS,
      },
      policy: {
        duplicateWindowMs: config.WAGATE_DUPLICATE_WINDOW_SECONDS * 1000,
        ...(config.WAGATE_ACCOUNT_RATE_PER_SECOND > 0
          ? {
              accountRate: {
                perSecond: config.WAGATE_ACCOUNT_RATE_PER_SECOND,
                burst: config.WAGATE_ACCOUNT_RATE_BURST || config.WAGATE_ACCOUNT_RATE_PER_SECOND,
              },
            }
          : {}),
      },
    });
    return { grpc: [service.grpc], stop: service.stop };
  },
});
