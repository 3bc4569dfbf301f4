import { env, readConfig } from '@wagate/config';
import { runServiceProcess } from '@wagate/runtime';
import { z } from 'zod';
import { migrateFleetSchema, startFleet } from './fleet-service.js';
import { DEFAULT_PACING } from './pacing.js';

const milliseconds = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

await runServiceProcess({
  name: 'fleet',
  defaultGrpcPort: 50054,
  defaultAgentGrpcPort: 50055,
  migrate: migrateFleetSchema,
  async start({ database, bus }) {
    const config = readConfig({
      // A bootstrap token for WAGATE_DEFAULT_ACCOUNT, so a first agent host enrols without the api.
      WAGATE_ENROLMENT_TOKEN: z
        .string()
        .min(8, 'WAGATE_ENROLMENT_TOKEN must be at least 8 characters')
        .optional(),
      // Devices of this account that connect unbound join this sender.
      WAGATE_DEFAULT_ACCOUNT: z.string().optional(),
      WAGATE_DEFAULT_SENDER: z.string().optional(),
      WAGATE_FLEET_HEARTBEAT_INTERVAL_MS: milliseconds(10_000),
      WAGATE_FLEET_OFFLINE_AFTER_MS: z.coerce.number().int().min(1).optional(),
      // A stuck device gets a VM restart command through its agent (docs/fleet.md).
      WAGATE_FLEET_RECOVERY: env.bool(true),
      // The old fleet-host hook cannot reach VMs on other hosts: it moved to the agent.
      WAGATE_FLEET_RECOVERY_COMMAND: z
        .undefined({
          error:
            'no longer run on the fleet host: set WAGATE_VM_PROVIDER=command and WAGATE_VM_COMMAND_RESTART on the agents (docs/fleet.md)',
        })
        .optional(),
      WAGATE_FLEET_STUCK_AFTER_MS: milliseconds(5 * 60_000),
      WAGATE_FLEET_RECOVERY_OFFLINE_AFTER_MS: milliseconds(10 * 60_000),
      WAGATE_FLEET_RECOVERY_COOLDOWN_MS: milliseconds(15 * 60_000),
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
      // New contacts per day on a number's day 1, 2, 3…, comma separated; empty: no warm-up.
      WAGATE_PACING_WARMUP: z
        .string()
        .regex(/^(\d+(,\d+)*)?$/, 'expected numbers separated by commas, e.g. 20,40,80,160')
        .optional(),
    });
    const service = await startFleet({
      database,
      bus,
      scheduler: {
        pacing: {
          newContactGapMs: config.WAGATE_PACING_NEW_CONTACT_GAP_MS,
          knownContactGapMs: config.WAGATE_PACING_KNOWN_CONTACT_GAP_MS,
          dailyNewContacts: config.WAGATE_PACING_DAILY_NEW_CONTACTS,
          ...(config.WAGATE_PACING_WARMUP === undefined
            ? {}
            : { warmup: config.WAGATE_PACING_WARMUP.split(',').filter(Boolean).map(Number) }),
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
