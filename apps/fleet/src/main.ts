import { runServiceProcess } from '@wagate/runtime';
import { fleetVariables } from './config.js';
import { migrateFleetSchema, startFleet } from './fleet-service.js';

await runServiceProcess({
  name: 'fleet',
  variables: fleetVariables,
  migrate: migrateFleetSchema,
  async start({ database, bus, config }) {
    const service = await startFleet({
      database,
      bus,
      scheduler: {
        pacing: {
          newContactGapMs: config.WAGATE_PACING_NEW_CONTACT_GAP_MS,
          knownContactGapMs: config.WAGATE_PACING_KNOWN_CONTACT_GAP_MS,
          dailyNewContacts: config.WAGATE_PACING_DAILY_NEW_CONTACTS,
          ...(config.WAGATE_PACING_WARMUP === undefined ? {} : { warmup: config.WAGATE_PACING_WARMUP }),
        },
      },
      health: {
        heartbeatIntervalMs: config.WAGATE_FLEET_HEARTBEAT_INTERVAL_MS,
        ...(config.WAGATE_FLEET_OFFLINE_AFTER_MS
          ? { offlineAfterMs: config.WAGATE_FLEET_OFFLINE_AFTER_MS }
          : {}),
      },
      ...(config.WAGATE_FLEET_RECOVERY
        ? {
            recovery: {
              stuckAfterMs: config.WAGATE_FLEET_STUCK_AFTER_MS,
              offlineAfterMs: config.WAGATE_FLEET_RECOVERY_OFFLINE_AFTER_MS,
              cooldownMs: config.WAGATE_FLEET_RECOVERY_COOLDOWN_MS,
            },
          }
        : {}),
    });
    if (config.WAGATE_DEFAULT_ACCOUNT && config.WAGATE_DEFAULT_SENDER) {
      await service.ensureDefaultSender(config.WAGATE_DEFAULT_ACCOUNT, config.WAGATE_DEFAULT_SENDER);
    }
    if (config.WAGATE_ENROLMENT_TOKEN && config.WAGATE_DEFAULT_ACCOUNT) {
      await service.ensureBootstrapToken(config.WAGATE_DEFAULT_ACCOUNT, config.WAGATE_ENROLMENT_TOKEN);
    }
    return { grpc: [service.grpc], agentGrpc: [service.agentGrpc], stop: service.stop };
  },
});
