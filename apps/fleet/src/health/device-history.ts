import { type DeviceStateChangedEvent, eventId, Topics } from '@wagate/contracts';
import { enqueueEvents } from '@wagate/outbox';
import type { Kysely } from 'kysely';
import type { DeviceHistoryTable, FleetTables } from '../db/tables.js';

export interface DeviceChange {
  deviceId: string;
  accountId: string | null;
  change: DeviceHistoryTable['change'];
  from: string;
  to: string;
  reason: string;
}

/**
 * Records a change of a device in its history and announces it on `device.state.changed`,
 * inside the caller's transaction: the row and the event are written together or not at all.
 */
export function recordDeviceChange(trx: Kysely<FleetTables>, change: DeviceChange): Promise<void> {
  return recordDeviceChanges(trx, [change]);
}

/** The same for changes of many devices, in two statements (a farm's devices change together). */
export async function recordDeviceChanges(trx: Kysely<FleetTables>, changes: DeviceChange[]): Promise<void> {
  if (changes.length === 0) return;
  const rows = await trx
    .insertInto('device_history')
    .values(
      changes.map((change) => ({
        device_id: change.deviceId,
        change: change.change,
        from_value: change.from,
        to_value: change.to,
        reason: change.reason,
      })),
    )
    .returning(['id', 'at', 'device_id', 'change', 'from_value', 'to_value', 'reason'])
    .execute();
  const accountOf = new Map(changes.map((change) => [change.deviceId, change.accountId ?? '']));
  await enqueueEvents(
    trx,
    rows.map((row) => {
      const event: DeviceStateChangedEvent = {
        deviceId: row.device_id,
        accountId: accountOf.get(row.device_id) ?? '',
        change: row.change,
        from: row.from_value,
        to: row.to_value,
        reason: row.reason,
        atMs: row.at.getTime(),
        historyId: String(row.id),
      };
      return {
        topic: Topics.deviceStateChanged,
        id: eventId.deviceStateChanged(String(row.id)),
        key: row.device_id,
        data: event,
      };
    }),
  );
}

/**
 * A device that leaves service gives up its conversations: their queued jobs go to another
 * device of the pool. Jobs already offered to it stay (the device may have sent them).
 */
export async function releaseContacts(trx: Kysely<FleetTables>, deviceIds: string[]): Promise<void> {
  if (deviceIds.length === 0) return;
  await trx.deleteFrom('contacts').where('device_id', 'in', deviceIds).execute();
}
