import { documented, env } from '@wagate/config';
import { agentListenerVariables, serviceVariables } from '@wagate/runtime';
import { z } from 'zod';
import { DEFAULT_PACING } from './pacing.js';

/** Every variable the fleet process reads, once at start (docs/configuration.md). */
export const fleetVariables = {
  ...serviceVariables('fleet', 50_054),
  ...agentListenerVariables,
  WAGATE_ENROLMENT_TOKEN: env.string({
    optional: true,
    minLength: 8,
    description:
      'A bootstrap enrolment token for WAGATE_DEFAULT_ACCOUNT, so a first agent host enrols without the api.',
  }),
  WAGATE_DEFAULT_ACCOUNT: env.string({
    optional: true,
    description: 'Devices of this account that connect unbound join WAGATE_DEFAULT_SENDER.',
  }),
  WAGATE_DEFAULT_SENDER: env.string({
    optional: true,
    description: 'The sender that unbound devices of WAGATE_DEFAULT_ACCOUNT join.',
  }),
  WAGATE_FLEET_HEARTBEAT_INTERVAL_MS: env.int({
    default: 10_000,
    min: 1,
    unit: 'milliseconds',
    description: "How often agents send each device's heartbeat.",
  }),
  WAGATE_FLEET_OFFLINE_AFTER_MS: env.int({
    optional: true,
    min: 1,
    unit: 'milliseconds',
    description: 'A device without a heartbeat for this long is offline; default three heartbeat intervals.',
  }),
  WAGATE_FLEET_RECOVERY: env.bool({
    default: true,
    description:
      'A stuck or long-offline device gets a VM restart command through its agent (docs/fleet.md).',
  }),
  WAGATE_FLEET_RECOVERY_COMMAND: env.removed({
    description:
      'Removed: the fleet host cannot reach VMs on other hosts, so the restart moved to the agents.',
    instead:
      'no longer run on the fleet host: set WAGATE_VM_PROVIDER=command and WAGATE_VM_COMMAND_RESTART on the agents (docs/fleet.md)',
  }),
  WAGATE_FLEET_STUCK_AFTER_MS: env.int({
    default: 5 * 60_000,
    min: 1,
    unit: 'milliseconds',
    description: 'A device holding a job this long without a result counts as stuck (recovery).',
  }),
  WAGATE_FLEET_RECOVERY_OFFLINE_AFTER_MS: env.int({
    default: 10 * 60_000,
    min: 1,
    unit: 'milliseconds',
    description: 'A device offline this long is restarted (recovery).',
  }),
  WAGATE_FLEET_RECOVERY_COOLDOWN_MS: env.int({
    default: 15 * 60_000,
    min: 1,
    unit: 'milliseconds',
    description: 'The least time between two restarts of one device.',
  }),
  WAGATE_PACING_NEW_CONTACT_GAP_MS: env.int({
    default: DEFAULT_PACING.newContactGapMs,
    min: 0,
    unit: 'milliseconds',
    description:
      "The least time between one number's messages to contacts it never wrote to (docs/pacing.md).",
  }),
  WAGATE_PACING_KNOWN_CONTACT_GAP_MS: env.int({
    default: DEFAULT_PACING.knownContactGapMs,
    min: 0,
    unit: 'milliseconds',
    description: "The least time between one number's messages to known contacts.",
  }),
  WAGATE_PACING_DAILY_NEW_CONTACTS: env.int({
    default: DEFAULT_PACING.dailyNewContacts,
    min: 1,
    unit: 'contacts a day',
    description: 'How many new contacts one number may write to a day, once warmed up.',
  }),
  WAGATE_PACING_WARMUP: documented(
    z
      .string()
      .regex(/^(\d+(,\d+)*)?$/, 'expected numbers separated by commas, e.g. 20,40,80,160')
      .optional()
      .transform((value) => value?.split(',').filter(Boolean).map(Number)),
    {
      accepts: 'numbers separated by commas, e.g. 20,40,80,160',
      description:
        "New contacts a day on a number's day 1, 2, 3…; after the list, WAGATE_PACING_DAILY_NEW_CONTACTS. Empty: no warm-up; unset: the built-in warm-up (docs/pacing.md).",
    },
  ),
};
