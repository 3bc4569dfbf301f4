import type { fleet } from '@wagate/contracts';
import type { DeviceHealth } from '../../driver.js';
import { parseBatteryPercent } from './battery.js';
import { parseNetworkUp } from './connectivity.js';
import type { Phone } from './phone.js';
import { parseScreenOn } from './power.js';
import { parseFreeBytes } from './storage.js';

/**
 * The phone's health from four read-only commands that need no UI. A value that cannot be
 * read fails the heartbeat rather than being guessed: a made-up battery level or network
 * state would tell the fleet something untrue.
 */
export async function readHealth(phone: Phone, whatsappState: fleet.WhatsAppState): Promise<DeviceHealth> {
  const [battery, power, df, connectivity] = await Promise.all([
    phone.shell(['dumpsys', 'battery']),
    phone.shell(['dumpsys', 'power']),
    phone.shell(['df', '/data']),
    phone.shell(['dumpsys', 'connectivity']),
  ]);
  return {
    batteryPercent: known(parseBatteryPercent(battery), 'the battery level', 'dumpsys battery'),
    screenOn: known(parseScreenOn(power), 'the screen state', 'dumpsys power'),
    storageFreeBytes: String(known(parseFreeBytes(df, '/data'), 'the free storage', 'df /data')),
    networkUp: known(parseNetworkUp(connectivity), 'the network state', 'dumpsys connectivity'),
    whatsappState,
  };
}

function known<T>(value: T | undefined, what: string, command: string): T {
  if (value === undefined) throw new Error(`could not read ${what} from \`${command}\``);
  return value;
}
