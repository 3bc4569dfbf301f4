import { StatusErrorCode } from '@wagate/errors';
import type { AdminState, DeviceState } from '../db/tables.js';

/** The numbers behind a device's state; docs/fleet.md lists them with their defaults. */
export interface HealthThresholds {
  /** How often agents send heartbeats (the agent's default is 10 s). */
  heartbeatIntervalMs: number;
  /** No heartbeat (nor any other message) for this long: offline. Default 3 heartbeat periods. */
  offlineAfterMs: number;
  /** Job results remembered per device for the failure rate. */
  resultWindow: number;
  /** Fewer results than this say nothing about the failure rate. */
  degradedMinResults: number;
  /** Failed share of the remembered results at or above which a device is degraded. */
  degradedFailureRate: number;
  /** This many spam refusals in a row look like a ban WhatsApp has not shown yet. */
  banPatternLength: number;
  /** A device degraded this long is quarantined automatically. */
  quarantineDegradedAfterMs: number;
  /** A device banned this long is quarantined automatically. */
  quarantineBannedAfterMs: number;
}

export function defaultThresholds(heartbeatIntervalMs = 10_000): HealthThresholds {
  return {
    heartbeatIntervalMs,
    offlineAfterMs: 3 * heartbeatIntervalMs,
    resultWindow: 20,
    degradedMinResults: 10,
    degradedFailureRate: 0.5,
    banPatternLength: 5,
    quarantineDegradedAfterMs: 30 * 60_000,
    quarantineBannedAfterMs: 5 * 60_000,
  };
}

/** What a job result adds to a device's recent results; undefined: says nothing of the device. */
export function resultMark(sent: boolean, errorCode: number): 's' | 'f' | 'b' | undefined {
  if (sent) return 's';
  // The recipient has no WhatsApp: their fault, not the device's.
  if (errorCode === StatusErrorCode.NotOnWhatsApp) return undefined;
  const spam: number[] = [StatusErrorCode.Spam, StatusErrorCode.SpamContent, StatusErrorCode.SpamRecipient];
  return spam.includes(errorCode) ? 'b' : 'f';
}

export interface HealthInputs {
  lastSeenAt: Date;
  whatsappState: string;
  recentResults: string;
}

/** A device's health state from what it last reported. The first matching rule wins. */
export function healthState(
  device: HealthInputs,
  now: Date,
  limits: HealthThresholds,
): { state: DeviceState; reason: string } {
  const silentMs = now.getTime() - device.lastSeenAt.getTime();
  if (silentMs >= limits.offlineAfterMs) {
    return { state: 'offline', reason: `no heartbeat for ${Math.round(silentMs / 1000)} s` };
  }
  if (device.whatsappState === 'banned')
    return { state: 'banned', reason: 'WhatsApp shows the number banned' };
  const pattern = 'b'.repeat(limits.banPatternLength);
  if (limits.banPatternLength > 0 && device.recentResults.endsWith(pattern)) {
    return { state: 'banned', reason: `the last ${limits.banPatternLength} sends were refused as spam` };
  }
  if (device.whatsappState === 'logged_out') return { state: 'logged_out', reason: 'WhatsApp is logged out' };
  if (device.whatsappState === 'update_required') {
    return { state: 'update_required', reason: 'WhatsApp asks for an update' };
  }
  const results = device.recentResults.length;
  const failed = [...device.recentResults].filter((mark) => mark !== 's').length;
  if (results >= limits.degradedMinResults && failed / results >= limits.degradedFailureRate) {
    return { state: 'degraded', reason: `${failed} of the last ${results} sends failed` };
  }
  return { state: 'online', reason: 'reporting normally' };
}

/** Whether the scheduler may hand the device new jobs (its agent must also be connected). */
export function isAccepting(device: { state: DeviceState; admin_state: AdminState }): boolean {
  return device.admin_state === 'active' && (device.state === 'online' || device.state === 'degraded');
}
