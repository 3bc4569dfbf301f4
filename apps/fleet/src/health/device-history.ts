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
export async function recordDeviceChange(trx: Kysely<FleetTables>, change: DeviceChange): Promise<void> {
  const row = await trx
    .insertInto('device_history')
    .values({
      device_id: change.deviceId,
      change: change.change,
      from_value: change.from,
      to_value: change.to,
      reason: change.reason,
    })
    .returning(['id', 'at'])
    .executeTakeFirstOrThrow();
  const event: DeviceStateChangedEvent = {
    deviceId: change.deviceId,
    accountId: change.accountId ?? '',
    change: change.change,
    from: change.from,
    to: change.to,
    reason: change.reason,
    atMs: row.at.getTime(),
    historyId: String(row.id),
  };
  await enqueueEvents(trx, [
    {
      topic: Topics.deviceStateChanged,
      id: eventId.deviceStateChanged(String(row.id)),
      key: change.deviceId,
      data: event,
    },
  ]);
}

/**
 * A device that leaves service gives up its conversations: their queued jobs go to another
 * device of the pool. Jobs already offered to it stay (the device may have sent them).
 */
export async function releaseContacts(trx: Kysely<FleetTables>, deviceId: string): Promise<void> {
  await trx.deleteFrom('contacts').where('device_id', '=', deviceId).execute();
}
