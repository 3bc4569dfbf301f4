import { prefixedId } from '@wagate/ids';
import { type Kysely, sql } from 'kysely';
import type { FleetTables } from '../db/tables.js';

/** A device as its agent describes it in the stream's hello. */
export interface DeviceInfo {
  /** The agent's own key of the device (unique per agent host). */
  deviceKey: string;
  phoneNumber: string;
  androidVersion: string;
  whatsappVersion: string;
  /** Which driver runs it (sim, adb). */
  driver: string;
}

/**
 * Registers (or updates) the hello's devices under the agent's account: a device is its
 * agent id and device key, so another host's device with the same key is another device.
 * Each row is marked held by `streamId`; the upsert's row lock waits for a claim in progress
 * on the devices (offer-jobs.ts), so the unfinished offers read after it include that claim's.
 */
export async function registerDevices(
  db: Kysely<FleetTables>,
  hello: { agentId: string; devices: DeviceInfo[] },
  accountId: string,
  senderId: string | undefined,
  streamId: string,
) {
  if (hello.devices.length === 0) return [];
  const now = new Date();
  return db
    .insertInto('devices')
    .values(
      // Sorted by key (byte order): rows are locked in the order the scheduler's claim locks them (offer-jobs.ts).
      [...hello.devices].sort(byDeviceKey).map((device) => ({
        id: prefixedId('device'),
        device_key: device.deviceKey,
        agent_id: hello.agentId,
        phone_number: device.phoneNumber,
        account_id: accountId,
        sender_id: senderId ?? null,
        driver: device.driver,
        android_version: device.androidVersion,
        whatsapp_version: device.whatsappVersion,
        last_seen_at: now,
        agent_stream_id: streamId,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(['agent_id', 'device_key']).doUpdateSet((eb) => ({
        phone_number: eb.ref('excluded.phone_number'),
        android_version: eb.ref('excluded.android_version'),
        whatsapp_version: eb.ref('excluded.whatsapp_version'),
        last_seen_at: eb.ref('excluded.last_seen_at'),
        agent_stream_id: eb.ref('excluded.agent_stream_id'),
        account_id: eb.ref('excluded.account_id'),
        // An agent's account never changes; a device from before enrolment (no account) is
        // adopted and joins the new account's pool.
        sender_id: sql<string | null>`case when devices.account_id is not distinct from excluded.account_id
          then coalesce(devices.sender_id, excluded.sender_id) else excluded.sender_id end`,
      })),
    )
    .returning(['id', 'device_key', 'sender_id'])
    .execute();
}

function byDeviceKey(a: DeviceInfo, b: DeviceInfo): number {
  return a.deviceKey < b.deviceKey ? -1 : a.deviceKey > b.deviceKey ? 1 : 0;
}
