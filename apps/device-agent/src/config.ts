import { hostname } from 'node:os';
import { ConfigError, env, readConfig } from '@wagate/config';
import { z } from 'zod';

export interface AgentConfig {
  fleetAddress: string;
  agentId: string;
  enrolmentToken: string;
  driver: 'sim';
  sim: { devices: number; seed: number; numberBase: string };
}

/** One agent per host, so the host name tells agents apart until enrolment assigns more. */
function defaultAgentId(): string {
  return `agent-${hostname().toLowerCase()}`;
}

export function readAgentConfig(source: Record<string, string | undefined> = process.env): AgentConfig {
  const config = readConfig(
    {
      FLEET_ADDRESS: env.address('127.0.0.1:50054'),
      WAGATE_AGENT_ID: z.string().min(1).default(defaultAgentId()),
      WAGATE_ENROLMENT_TOKEN: z.string().min(1).default('dev-enrolment-token'),
      WAGATE_DRIVER: z.enum(['sim', 'adb']).default('sim'),
      WAGATE_SIM_DEVICES: z.coerce.number().int().min(1).max(1_000).default(3),
      WAGATE_SIM_SEED: env.int(1),
      WAGATE_SIM_NUMBER_BASE: z
        .string()
        .regex(/^\d{5,15}$/, 'expected digits')
        .default('79990000001'),
    },
    source,
  );
  if (config.WAGATE_DRIVER === 'adb') {
    throw new ConfigError('WAGATE_DRIVER=adb: the adb driver is not implemented yet; use WAGATE_DRIVER=sim');
  }
  return {
    fleetAddress: config.FLEET_ADDRESS,
    agentId: config.WAGATE_AGENT_ID,
    enrolmentToken: config.WAGATE_ENROLMENT_TOKEN,
    driver: config.WAGATE_DRIVER,
    sim: {
      devices: config.WAGATE_SIM_DEVICES,
      seed: config.WAGATE_SIM_SEED,
      numberBase: config.WAGATE_SIM_NUMBER_BASE,
    },
  };
}
