import { runServiceProcess } from '@wagate/runtime';
import { dispatchVariables } from './config.js';
import { migrateDispatchSchema, startDispatch } from './dispatch-service.js';
import { policySettings } from './policy/policy-config.js';
import { readSecretKeys } from './webhooks/secret-keys.js';

await runServiceProcess({
  name: 'dispatch',
  variables: dispatchVariables,
  migrate: migrateDispatchSchema,
  async start({ database, bus, internalPlane, config }) {
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
      policy: policySettings(config),
      secretKeys: readSecretKeys(config),
    });
    return { grpc: [service.grpc], stop: service.stop, peers: { fleet: config.FLEET_ADDRESS } };
  },
});
