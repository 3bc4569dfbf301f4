import type { AdminState, DeviceHistoryChange, DeviceState } from '@wagate/contracts';
import type { OutboxTable } from '@wagate/outbox';
import type { ColumnType, Generated } from 'kysely';

export const FLEET_SCHEMA = 'fleet';

export interface SendersTable {
  id: string;
  account_id: string;
  name: string;
  created_at: Generated<Date>;
}

export interface DevicesTable {
  id: string;
  /** Identity of the VM/phone on its agent's host (adb serial, sim index). */
  device_key: string;
  agent_id: string;
  phone_number: string;
  sender_id: string | null;
  driver: string;
  android_version: string;
  whatsapp_version: string;
  created_at: Generated<Date>;
  last_seen_at: Date;
  /** The account that enrolled the device's agent; null for devices from before enrolment. */
  account_id: string | null;
  state: Generated<DeviceState>;
  state_reason: Generated<string>;
  state_changed_at: Generated<Date>;
  admin_state: Generated<AdminState>;
  last_heartbeat_at: Date | null;
  battery_percent: number | null;
  screen_on: boolean | null;
  storage_free_bytes: ColumnType<string | null, string | number | null, string | number | null>;
  network_up: boolean | null;
  /** logged_in, logged_out, banned, update_required, or '' before the first heartbeat. */
  whatsapp_state: Generated<string>;
  /** The last job results, oldest first: `s` sent, `f` failed, `b` failed as a ban would. */
  recent_results: Generated<string>;
  last_result_at: Date | null;
  /** When the recovery command last ran for it. */
  recovery_at: Date | null;
  /**
   * The agent stream that holds the device (the last to connect with it, on any fleet replica);
   * only that stream's process may offer it jobs. Null before its first connect.
   */
  agent_stream_id: string | null;
}

export { type AdminState, adminStates, type DeviceState, deviceStates } from '@wagate/contracts';

export interface EnrolmentTokensTable {
  id: string;
  account_id: string;
  token_hash: string;
  sender: string | null;
  max_uses: number;
  uses: Generated<number>;
  expires_at: Date;
  created_by: string;
  created_at: Generated<Date>;
}

/** An enrolled agent host and its credential (only hashes are kept). */
export interface AgentsTable {
  id: string;
  account_id: string;
  token_id: string;
  credential_hash: string;
  /** The credential before the last rotation, accepted until `previous_valid_until`. */
  previous_credential_hash: string | null;
  previous_valid_until: Date | null;
  enrolled_at: Generated<Date>;
  rotated_at: Date;
  /** The agent's last host report (fleet.HostReport as JSON), and when it came. */
  host_report: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  host_reported_at: Date | null;
}

export interface DeviceHistoryTable {
  id: Generated<string>;
  device_id: string;
  at: Generated<Date>;
  change: DeviceHistoryChange;
  from_value: string;
  to_value: string;
  reason: string;
}

export interface JobsTable {
  seq: Generated<string>;
  message_id: string;
  job_id: string;
  account_id: string;
  sender_id: string;
  recipient: string;
  device_id: string | null;
  state: 'queued' | 'offered' | 'done';
  payload: ColumnType<Record<string, unknown>, string, string>;
  traceparent: string;
  created_at: Generated<Date>;
  updated_at: Date;
}

/** Stickiness: a recipient keeps talking to the same number of a sender's pool. */
export interface ContactsTable {
  sender_id: string;
  recipient: string;
  device_id: string;
}

/** What pacing must remember across restarts, per device (one WhatsApp number). */
export interface DevicePacingTable {
  device_id: string;
  /** UTC day number (days since the epoch) fleet first paced this number: its warm-up day 1. */
  first_seen_day: number;
  /** The UTC day `new_contacts` counts. */
  day: number;
  new_contacts: number;
}

export type VmCommandState = 'pending' | 'sent' | 'succeeded' | 'failed' | 'expired';

/** A VM command for a device's agent: kept until it has an outcome or its deadline passes. */
export interface VmCommandsTable {
  id: string;
  device_id: string;
  account_id: string;
  agent_id: string;
  /** restart_vm, reboot_android, restore_snapshot, install_apk, screenshot. */
  action: string;
  snapshot: string;
  apk_url: string;
  apk_sha256: string;
  state: VmCommandState;
  error: Generated<string>;
  requested_by: string;
  /** The rollout it belongs to, if any. */
  rollout_id: string | null;
  created_at: Generated<Date>;
  deadline_at: Date;
  sent_at: Date | null;
  finished_at: Date | null;
  screenshot: Buffer | null;
}

/** A staged install of an APK over an account's devices. */
export interface RolloutsTable {
  id: string;
  account_id: string;
  apk_url: string;
  apk_sha256: string;
  state: 'running' | 'completed' | 'halted';
  reason: Generated<string>;
  /** The wave being installed, from 1. */
  wave: Generated<number>;
  first_wave_share: number;
  growth: number;
  max_failure_rate: number;
  requested_by: string;
  created_at: Generated<Date>;
  finished_at: Date | null;
}

/** Which wave each device of a rollout is in, and its install command once given. */
export interface RolloutDevicesTable {
  rollout_id: string;
  device_id: string;
  wave: number;
  command_id: string | null;
}

export interface FleetTables extends OutboxTable {
  vm_commands: VmCommandsTable;
  rollouts: RolloutsTable;
  rollout_devices: RolloutDevicesTable;
  senders: SendersTable;
  devices: DevicesTable;
  jobs: JobsTable;
  contacts: ContactsTable;
  enrolment_tokens: EnrolmentTokensTable;
  agents: AgentsTable;
  device_history: DeviceHistoryTable;
  device_pacing: DevicePacingTable;
}
