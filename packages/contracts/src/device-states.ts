/**
 * The device vocabulary fleet stores and the api shows (GET /v1/devices): one list, so a state
 * fleet adds is one the api's schema accepts.
 */

/** Health, from heartbeats and results (docs/fleet.md). */
export const deviceStates = [
  'online',
  'offline',
  'degraded',
  'banned',
  'logged_out',
  'update_required',
] as const;
export type DeviceState = (typeof deviceStates)[number];

/** Set by hand or by the automatic quarantine. */
export const adminStates = ['active', 'quarantined', 'draining'] as const;
export type AdminState = (typeof adminStates)[number];

/** What one row of a device's history records. */
/** `command`: a VM command (restart, reboot, restore, install, screenshot) asked for or finished. */
export const deviceHistoryChanges = ['state', 'admin_state', 'sender', 'recovery', 'command'] as const;
export type DeviceHistoryChange = (typeof deviceHistoryChanges)[number];
