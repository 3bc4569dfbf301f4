import { env, readConfig } from '@wagate/config';
import { runServiceProcess } from '@wagate/runtime';
import { migrateDispatchSchema, startDispatch } from './dispatch-service.js';
import { policySettingsFromEnv } from './policy/settings-from-env.js';
import { readSecretKeys } from './webhooks/secret-keys.js';

await runServiceProcess({
  name: 'dispatch',
  defaultGrpcPort: 50053,
  migrate: migrateDispatchSchema,
  async start({ database, bus, internalPlane }) {
    const config = readConfig({
      FLEET_ADDRESS: env.address('127.0.0.1:50054'),
      // Callback URLs on loopback or private networks are refused unless allowed (SSRF guard).
      WAGATE_ALLOW_LOOPBACK_WEBHOOKS: env.bool(false),
      WAGATE_ALLOW_PRIVATE_WEBHOOKS: env.bool(false),
      // An endpoint with no successful delivery for this long (while failing) is disabled.
      WAGATE_WEBHOOK_DISABLE_AFTER_MS: env.int(3 * 24 * 3_600_000),
    });
    const service = await startDispatch({
      database,
      bus,
      fleetAddress: config.FLEET_ADDRESS,
      internalPlane,
      callbacks: {
        allowLoopback: config.WAGATE_ALLOW_LOOPBACK_WEBHOOKS,
        allowPrivate: config.WAGATE_ALLOW_PRIVATE_WEBHOOKS,
        disableAfterMs: config.WAGATE_WEBHOOK_DISABLE_AFTER_MS,
      },
      policy: policySettingsFromEnv(),
      secretKeys: readSecretKeys(),
    });
    return { grpc: [service.grpc], stop: service.stop, peers: { fleet: config.FLEET_ADDRESS } };
  },
});
