import type { fleet } from '@wagate/contracts';
import { decodeCursor, InvalidCursorError, pageOf, pageSize } from '@wagate/db';
import { DomainError, ErrorKey } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { DeviceSessions } from './agents/device-sessions.js';
import type { FleetTables } from './db/tables.js';

/**
 * One page of an account's senders ordered by name (unique per account, so the name alone is
 * the cursor), each with its devices' numbers and how many of those devices are connected.
 * and how many of its jobs wait for a device (the pool's queue depth).
 * "Connected" is what this fleet process sees: with several fleet replicas, a device whose
 * agent streams to another replica counts as not connected here.
 */
export async function listSenders(
  db: Kysely<FleetTables>,
  sessions: Pick<DeviceSessions, 'get'>,
  request: fleet.ListSendersRequest,
): Promise<fleet.ListSendersResponse> {
  const size = pageSize(request.limit);
  const after = readCursor(request.cursor);
  const rows = await db
    .selectFrom('senders')
    .select(['id', 'name', 'created_at'])
    .where('account_id', '=', request.accountId)
    .$if(after !== undefined, (query) => query.where('name', '>', after![0]))
    .orderBy('name')
    .limit(size + 1)
    .execute();
  const page = pageOf(rows, size, (row) => [row.name]);
  const devices =
    page.rows.length === 0
      ? []
      : await db
          .selectFrom('devices')
          .select(['id', 'sender_id', 'phone_number'])
          .where(
            'sender_id',
            'in',
            page.rows.map((row) => row.id),
          )
          .orderBy('phone_number')
          .execute();
  const bySender = Map.groupBy(devices, (device) => device.sender_id);
  const queued =
    page.rows.length === 0
      ? []
      : await db
          .selectFrom('jobs')
          .select(['sender_id', (eb) => eb.fn.countAll<string>().as('queued')])
          .where('state', '=', 'queued')
          .where(
            'sender_id',
            'in',
            page.rows.map((row) => row.id),
          )
          .groupBy('sender_id')
          .execute();
  const queuedBySender = new Map(queued.map((row) => [row.sender_id, Number(row.queued)]));
  return {
    senders: page.rows.map((sender) => {
      const own = bySender.get(sender.id) ?? [];
      return {
        senderId: sender.id,
        name: sender.name,
        numbers: [...new Set(own.map((device) => device.phone_number))],
        devices: own.length,
        devicesConnected: own.filter((device) => sessions.get(device.id) !== undefined).length,
        createdAtMs: String(sender.created_at.getTime()),
        queuedJobs: queuedBySender.get(sender.id) ?? 0,
      };
    }),
    nextCursor: page.nextCursor,
  };
}

function readCursor(cursor: string): readonly [string] | undefined {
  try {
    return decodeCursor(cursor, isSenderKey);
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new DomainError(ErrorKey.Invalid, error.message);
    throw error;
  }
}

/** A sender name; PostgreSQL text cannot hold NUL, so such a key could only fail the query. */
function isSenderKey(key: readonly string[]): key is readonly [string] {
  return key.length === 1 && key[0] !== '' && !key[0]!.includes('\u0000');
}
