import type { fleet } from '@wagate/contracts';
import type { AdminState, DeviceHistoryChange, DeviceState } from '@wagate/contracts';
import { isoTime } from './messages.js';

const instant = (ms: string) => (Number(ms) > 0 ? isoTime(ms) : null);

export function deviceView(device: fleet.Device | undefined) {
  if (!device) throw new Error('fleet answered without the device');
  const health = device.health;
  return {
    deviceId: device.deviceId,
    accountId: device.accountId,
    agentId: device.agentId,
    deviceKey: device.deviceKey,
    phoneNumber: device.phoneNumber,
    sender: device.sender || null,
    // Fleet answers only these (its tables constrain them); the schema documents them.
    state: device.state as DeviceState,
    stateReason: device.stateReason,
    stateChangedAt: isoTime(device.stateChangedAtMs),
    adminState: device.adminState as AdminState,
    connected: device.connected,
    accepting: device.accepting,
    androidVersion: device.androidVersion,
    whatsappVersion: device.whatsappVersion,
    driver: device.driver,
    health: {
      lastHeartbeatAt: health ? instant(health.lastHeartbeatAtMs) : null,
      batteryPercent: health?.batteryPercent ?? null,
      screenOn: health?.screenOn ?? null,
      storageFreeBytes: health?.storageFreeBytes === undefined ? null : Number(health.storageFreeBytes),
      networkUp: health?.networkUp ?? null,
      whatsappState: health?.whatsappState ?? '',
    },
    createdAt: isoTime(device.createdAtMs),
    pacing: device.pacing ?? null,
    jobsToday: device.jobsToday,
    recentResults: device.recentResults,
  };
}

export function historyView(entry: fleet.DeviceHistoryEntry) {
  return {
    at: isoTime(entry.atMs),
    change: entry.change as DeviceHistoryChange,
    from: entry.from,
    to: entry.to,
    reason: entry.reason,
  };
}
