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

export interface FleetTables extends OutboxTable {
  senders: SendersTable;
  devices: DevicesTable;
  jobs: JobsTable;
  contacts: ContactsTable;
  device_pacing: DevicePacingTable;
}
