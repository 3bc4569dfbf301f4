import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { type ConfigOf, ConfigError, documented, env, mediaUrlVariables } from '@wagate/config';
import {
  type AgentPlaneClientSecurity,
  agentPlaneClientVariables,
  readAgentPlaneClientSecurity,
} from '@wagate/rpc';
import { adminVariables } from '@wagate/runtime';
import { telemetryVariables } from '@wagate/telemetry';
import { z } from 'zod';
import type { WhatsAppPackage } from './drivers/adb/adb-driver.js';
import type { AutomationPhone } from './drivers/automation/automation-driver.js';
import { tokenSha256 } from './drivers/automation/phone-tokens.js';
import { vmVariables } from './providers/provider-config.js';

export interface SimConfig {
  devices: number;
  seed: number;
  numberBase: string;
  /** `fast`: quick and well-behaved (demos, tests); `realistic`: REALISTIC_SIM. */
  profile: 'fast' | 'realistic';
  /** Where the simulated phones keep their record of what they sent; undefined: nowhere. */
  sentRecordDir: string | undefined;
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
  /** Which networks a message's `contentUrl` may be fetched from besides the public internet. */
  media: { allowLoopback: boolean; allowPrivate: boolean };
}

export interface AutomationConfig {
  phones: AutomationPhone[];
  host: string;
  port: number;
  /** A job not polled for within this is withdrawn, unsent. */
  pickupTimeoutMs: number;
  /** A job taken but not reported within this ends with an unknown outcome. */
  resultTimeoutMs: number;
}

interface CommonConfig {
  /**
   * Fleet's agent plane (`FLEET_AGENT_ADDRESS`): one `host:port`, or an ordered list of the
   * fleet replicas' agent listeners, tried in turn when a stream fails (docs/fleet.md).
   */
  fleetAddresses: string[];
  fleetSecurity: AgentPlaneClientSecurity;
  agentId: string;
  enrolmentToken: string;
  /** Where the agent keeps its credential; undefined: in memory only. */
  credentialFile: string | undefined;
  /** The agent's journal of jobs started and finished; undefined: in memory only (a restart may lose it). */
  journalFile: string | undefined;
}

export type AgentConfig = CommonConfig &
  (
    | { driver: 'sim'; sim: SimConfig }
    | { driver: 'adb'; adb: AdbConfig }
    | { driver: 'automation'; automation: AutomationConfig }
  );

/** One agent per host, so the host name tells agents apart until enrolment assigns more. */
function defaultAgentId(): string {
  return `agent-${hostname().toLowerCase()}`;
}

/** Every variable the device agent reads, once at start (docs/configuration.md). */
export const deviceAgentVariables = {
  FLEET_AGENT_ADDRESS: documented(
    z
      .string()
      .default('127.0.0.1:50055')
      .transform((value) => value.split(',').map((address) => address.trim()))
      .pipe(
        z
          .array(
            z
              .string()
              .regex(
                /^[^\s:,]+:\d+$/,
                'expected host:port, or host:port,host:port,… (one per fleet replica)',
              ),
          )
          .refine((addresses) => new Set(addresses).size === addresses.length, 'an address is listed twice'),
      ),
    {
      description:
        "Fleet's agent plane: its own port, never the internal one (docs/security.md). Several fleet replicas without a load balancer in front: their agent listeners, comma separated, in the order this agent tries them; a stream that fails or ends moves it to the next (docs/fleet.md).",
      accepts: 'host:port, or host:port,host:port,…',
      default: '127.0.0.1:50055',
    },
  ),
  WAGATE_AGENT_ID: env.string({
    optional: true,
    minLength: 1,
    description: "This agent's name at fleet; default `agent-<host name>` (one agent per host).",
  }),
  WAGATE_ENROLMENT_TOKEN: env.string({
    default: 'dev-enrolment-token',
    minLength: 1,
    description:
      "The token this agent enrols with the first time (made with the api, or fleet's bootstrap token).",
  }),
  WAGATE_AGENT_CREDENTIAL_FILE: env.string({
    optional: true,
    minLength: 1,
    accepts: 'a file path',
    description:
      'Where the agent keeps the credential enrolment gave it; unset: in memory only (enrols again after a restart).',
  }),
  WAGATE_AGENT_JOURNAL_FILE: env.string({
    optional: true,
    minLength: 1,
    accepts: 'a file path',
    description:
      'The journal of jobs started and finished, so a crash never sends a message twice (docs/fleet.md); unset: in memory only.',
  }),
  WAGATE_DRIVER: env.oneOf(['sim', 'adb', 'automation'], {
    default: 'sim',
    description:
      'What drives the phones: simulated phones, Android devices over adb, or automation apps (docs/automation-apps.md).',
  }),
  WAGATE_SIM_DEVICES: env.int({
    default: 3,
    min: 1,
    max: 1_000,
    unit: 'phones',
    description: 'How many simulated phones (WAGATE_DRIVER=sim).',
  }),
  WAGATE_SIM_SEED: env.int({
    default: 1,
    description: "The simulated phones' random seed: the same seed, the same run.",
  }),
  WAGATE_SIM_PROFILE: env.oneOf(['fast', 'realistic'], {
    default: 'fast',
    description:
      "`fast`: quick and well-behaved (demos, tests); `realistic`: real phones' delays and failures.",
  }),
  WAGATE_SIM_NUMBER_BASE: env.string({
    default: '79990000001',
    pattern: /^\d{5,15}$/,
    accepts: '5 to 15 digits',
    description: "The first simulated phone's number; the others count up from it.",
  }),
  WAGATE_SIM_RECORD_DIR: env.string({
    optional: true,
    minLength: 1,
    accepts: 'a directory',
    description:
      "Where simulated phones record what they sent, so a restarted agent can tell (as a real phone's chat can).",
  }),
  WAGATE_ADB_SERIALS: env.string({
    optional: true,
    accepts: 'serial=phoneNumber[,serial=phoneNumber…]',
    description:
      'The phones of WAGATE_DRIVER=adb and the WhatsApp number on each, e.g. emulator-5554=79990000001.',
  }),
  WAGATE_WHATSAPP_PACKAGE: env.oneOf(['com.whatsapp', 'com.whatsapp.w4b'], {
    default: 'com.whatsapp',
    description: 'WhatsApp or WhatsApp Business, on the adb phones.',
  }),
  WAGATE_ADB_TICKS_INTERVAL_MS: env.int({
    default: 0,
    min: 0,
    unit: 'milliseconds',
    description: 'How often the adb driver reads delivery ticks for receipts; 0: never.',
  }),
  WAGATE_ADB_NOTIFICATIONS_INTERVAL_MS: env.int({
    default: 5_000,
    min: 0,
    unit: 'milliseconds',
    description: 'How often the adb driver reads notifications for incoming messages; 0: never.',
  }),
  WAGATE_AUTOMATION_PHONES: env.string({
    optional: true,
    accepts: 'deviceKey=phoneNumber=sha256:<64 hex>[,…] (or token:<token>)',
    description: 'The automation phones (WAGATE_DRIVER=automation); only token hashes are kept.',
  }),
  WAGATE_AUTOMATION_PHONES_FILE: env.string({
    optional: true,
    accepts: 'a JSON file path',
    description: 'The automation phones as a JSON file, instead of WAGATE_AUTOMATION_PHONES.',
  }),
  WAGATE_AUTOMATION_HOST: env.string({
    default: '0.0.0.0',
    minLength: 1,
    description: 'The address the automation phones poll.',
  }),
  WAGATE_AUTOMATION_PORT: env.port({ default: 8088, description: 'The port the automation phones poll.' }),
  WAGATE_AUTOMATION_PICKUP_TIMEOUT_MS: env.int({
    default: 60_000,
    min: 1_000,
    unit: 'milliseconds',
    description: 'A job no automation phone polled for within this is withdrawn, unsent.',
  }),
  WAGATE_AUTOMATION_RESULT_TIMEOUT_MS: env.int({
    default: 120_000,
    min: 1_000,
    unit: 'milliseconds',
    description: 'A job taken but not reported within this ends with an unknown outcome.',
  }),
  ...mediaUrlVariables,
  ...vmVariables,
  ...agentPlaneClientVariables,
  ...adminVariables('device-agent'),
  ...telemetryVariables,
};

export type DeviceAgentVariables = ConfigOf<typeof deviceAgentVariables>;

/** The agent's settings from its variables (`readConfig(deviceAgentVariables)`). */
export function readAgentConfig(config: DeviceAgentVariables): AgentConfig {
  const common: CommonConfig = {
    fleetAddresses: config.FLEET_AGENT_ADDRESS,
    fleetSecurity: readAgentPlaneClientSecurity(config),
    agentId: config.WAGATE_AGENT_ID ?? defaultAgentId(),
    enrolmentToken: config.WAGATE_ENROLMENT_TOKEN,
    credentialFile: config.WAGATE_AGENT_CREDENTIAL_FILE,
    journalFile: config.WAGATE_AGENT_JOURNAL_FILE,
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
        media: {
          allowLoopback: config.WAGATE_ALLOW_LOOPBACK_MEDIA,
          allowPrivate: config.WAGATE_ALLOW_PRIVATE_MEDIA,
        },
      },
    };
  }
  if (config.WAGATE_DRIVER === 'automation') {
    return {
      ...common,
      driver: 'automation',
      automation: {
        phones: readAutomationPhones(config.WAGATE_AUTOMATION_PHONES, config.WAGATE_AUTOMATION_PHONES_FILE),
        host: config.WAGATE_AUTOMATION_HOST,
        port: config.WAGATE_AUTOMATION_PORT,
        pickupTimeoutMs: config.WAGATE_AUTOMATION_PICKUP_TIMEOUT_MS,
        resultTimeoutMs: config.WAGATE_AUTOMATION_RESULT_TIMEOUT_MS,
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
      sentRecordDir: config.WAGATE_SIM_RECORD_DIR,
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
  refuseRepeats('WAGATE_ADB_SERIALS', devices, ['serial', 'phoneNumber']);
  return devices;
}

function refuseRepeats<T extends Record<K, string>, K extends keyof T & string>(
  variable: string,
  items: T[],
  keys: K[],
): void {
  for (const key of keys) {
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item[key])) {
        throw new ConfigError(`invalid configuration:\n  ${variable}: ${key} ${item[key]} is listed twice`);
      }
      seen.add(item[key]);
    }
  }
}

const phoneFileSchema = z.array(
  z
    .object({
      deviceKey: z.string().regex(/^[\w.:-]{1,100}$/, 'letters, digits and . _ : - only'),
      phoneNumber: z.string().regex(/^\d{8,15}$/, 'expected digits'),
      tokenSha256: z
        .string()
        .regex(/^[\da-f]{64}$/i, 'expected 64 hex digits')
        .optional(),
      token: z.string().min(16, 'a token needs at least 16 characters').optional(),
    })
    .refine((phone) => (phone.token === undefined) !== (phone.tokenSha256 === undefined), {
      message: 'give exactly one of tokenSha256 (preferred) and token',
    }),
);

/**
 * Phones of the automation driver, from `WAGATE_AUTOMATION_PHONES`
 * (`deviceKey=phoneNumber=sha256:<hex>` or `…=token:<token>`, comma separated) or from the
 * JSON file `WAGATE_AUTOMATION_PHONES_FILE`. Only tokens' hashes are kept.
 */
function readAutomationPhones(inline: string | undefined, file: string | undefined): AutomationPhone[] {
  const variable = file !== undefined ? 'WAGATE_AUTOMATION_PHONES_FILE' : 'WAGATE_AUTOMATION_PHONES';
  const invalid = (message: string) => new ConfigError(`invalid configuration:\n  ${variable}: ${message}`);
  if (inline !== undefined && file !== undefined) {
    throw invalid('set WAGATE_AUTOMATION_PHONES or WAGATE_AUTOMATION_PHONES_FILE, not both');
  }
  const phones = file !== undefined ? readPhoneFile(file, invalid) : parsePhoneList(inline, invalid);
  refuseRepeats(variable, phones, ['deviceKey', 'phoneNumber', 'tokenSha256']);
  return phones;
}

function readPhoneFile(path: string, invalid: (message: string) => ConfigError): AutomationPhone[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw invalid(`cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = phoneFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${path}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data.map((phone) => ({
    deviceKey: phone.deviceKey,
    phoneNumber: phone.phoneNumber,
    tokenSha256: phone.tokenSha256?.toLowerCase() ?? tokenSha256(phone.token ?? ''),
  }));
}

function parsePhoneList(
  value: string | undefined,
  invalid: (message: string) => ConfigError,
): AutomationPhone[] {
  const expected =
    'expected deviceKey=phoneNumber=sha256:<64 hex>[,…] (or token:<token> in place of sha256:…), e.g. pixel-1=79990000001=sha256:9f86…';
  if (value === undefined || value.trim() === '') {
    throw invalid(`required with WAGATE_DRIVER=automation (or WAGATE_AUTOMATION_PHONES_FILE); ${expected}`);
  }
  return value.split(',').map((item) => {
    const match = /^\s*([\w.:-]{1,100})=(\d{8,15})=(?:sha256:([\da-fA-F]{64})|token:(\S{16,}))\s*$/.exec(
      item,
    );
    // The item may hold a token: name only the phone in the message.
    if (!match) throw invalid(`"${item.split('=')[0]?.trim()}=…": ${expected}`);
    return {
      deviceKey: match[1]!,
      phoneNumber: match[2]!,
      tokenSha256: match[3]?.toLowerCase() ?? tokenSha256(match[4]!),
    };
  });
}
