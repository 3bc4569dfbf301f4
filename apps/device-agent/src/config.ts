import { hostname } from 'node:os';
import { ConfigError, env, readConfig } from '@wagate/config';
import { z } from 'zod';
import type { WhatsAppPackage } from './drivers/adb/adb-driver.js';

export interface SimConfig {
  devices: number;
  seed: number;
  numberBase: string;
  /** `fast`: quick and well-behaved (demos, tests); `realistic`: REALISTIC_SIM. */
  profile: 'fast' | 'realistic';
}

export interface AdbDeviceConfig {
  /** `emulator-5554`, or `host:5555` for a VM reached with `adb connect`. */
  serial: string;
  /** The WhatsApp number registered on that phone, digits. */
  phoneNumber: string;
}

export interface AdbConfig {
  devices: AdbDeviceConfig[];
  adbPath: string;
  whatsappPackage: WhatsAppPackage;
  /** 0: no receipts from ticks (see the adb driver's `ticks`). */
  ticksIntervalMs: number;
  /** 0: no incoming messages from notifications. */
  notificationsIntervalMs: number;
}

interface CommonConfig {
  fleetAddress: string;
  agentId: string;
  enrolmentToken: string;
}

export type AgentConfig = CommonConfig &
  ({ driver: 'sim'; sim: SimConfig } | { driver: 'adb'; adb: AdbConfig });

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
      WAGATE_SIM_PROFILE: z.enum(['fast', 'realistic']).default('fast'),
      WAGATE_SIM_NUMBER_BASE: z
        .string()
        .regex(/^\d{5,15}$/, 'expected digits')
        .default('79990000001'),
      WAGATE_ADB_SERIALS: z.string().optional(),
      WAGATE_ADB_PATH: z.string().min(1).default('adb'),
      WAGATE_WHATSAPP_PACKAGE: z.enum(['com.whatsapp', 'com.whatsapp.w4b']).default('com.whatsapp'),
      WAGATE_ADB_TICKS_INTERVAL_MS: z.coerce.number().int().min(0).default(0),
      WAGATE_ADB_NOTIFICATIONS_INTERVAL_MS: z.coerce.number().int().min(0).default(5_000),
    },
    source,
  );
  const common: CommonConfig = {
    fleetAddress: config.FLEET_ADDRESS,
    agentId: config.WAGATE_AGENT_ID,
    enrolmentToken: config.WAGATE_ENROLMENT_TOKEN,
  };
  if (config.WAGATE_DRIVER === 'adb') {
    return {
      ...common,
      driver: 'adb',
      adb: {
        devices: parseAdbDevices(config.WAGATE_ADB_SERIALS),
        adbPath: config.WAGATE_ADB_PATH,
        whatsappPackage: config.WAGATE_WHATSAPP_PACKAGE,
        ticksIntervalMs: config.WAGATE_ADB_TICKS_INTERVAL_MS,
        notificationsIntervalMs: config.WAGATE_ADB_NOTIFICATIONS_INTERVAL_MS,
      },
    };
  }
  return {
    ...common,
    driver: 'sim',
    sim: {
      devices: config.WAGATE_SIM_DEVICES,
      seed: config.WAGATE_SIM_SEED,
      numberBase: config.WAGATE_SIM_NUMBER_BASE,
      profile: config.WAGATE_SIM_PROFILE,
    },
  };
}

/** `WAGATE_ADB_SERIALS=emulator-5554=79990000001,10.0.0.7:5555=79990000002`. */
function parseAdbDevices(value: string | undefined): AdbDeviceConfig[] {
  const expected = 'expected serial=phoneNumber[,serial=phoneNumber…], e.g. emulator-5554=79990000001';
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(
      `invalid configuration:\n  WAGATE_ADB_SERIALS: required with WAGATE_DRIVER=adb; ${expected}`,
    );
  }
  const devices = value.split(',').map((item) => {
    const match = /^\s*([^\s=,]+)=(\d{8,15})\s*$/.exec(item);
    if (!match)
      throw new ConfigError(`invalid configuration:\n  WAGATE_ADB_SERIALS: "${item.trim()}": ${expected}`);
    return { serial: match[1]!, phoneNumber: match[2]! };
  });
  for (const key of ['serial', 'phoneNumber'] as const) {
    const seen = new Set<string>();
    for (const device of devices) {
      if (seen.has(device[key])) {
        throw new ConfigError(
          `invalid configuration:\n  WAGATE_ADB_SERIALS: ${key} ${device[key]} is listed twice`,
        );
      }
      seen.add(device[key]);
    }
  }
  return devices;
}
