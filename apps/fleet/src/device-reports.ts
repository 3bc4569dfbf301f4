import { eventId, type MessageInboundEvent, type MessageStatusEvent, Topics } from '@wagate/contracts';
import { StatusErrorCode } from '@wagate/errors';
import { enqueueEvents } from '@wagate/outbox';
import { contextFromHeaders, inSpan, SpanKind, traceHeaders, withAccount } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import type { DeliveryReceipt, InboundReport, JobOutcome } from './agents/agent-reports.js';
import type { FleetTables } from './db/tables.js';

/**
 * Turns what devices report into `message.status` events, through the outbox. A job's result
 * is applied once (the state guard ignores a repeated report after a reconnect); receipts
 * are keyed by message and status, so repeats are dropped downstream.
 */
export async function recordJobResult(db: Kysely<FleetTables>, result: JobOutcome): Promise<boolean> {
  return inSpan(
    'fleet.record-result',
    {
      kind: SpanKind.CONSUMER,
      parent: contextFromHeaders({ traceparent: result.traceparent }),
      attributes: {
        'wagate.message_id': result.messageId,
        'wagate.device_id': result.deviceId,
        'wagate.sent': result.sent,
      },
    },
    () =>
      db.transaction().execute(async (trx) => {
        const job = await trx
          .updateTable('jobs')
          .set({ state: 'done', updated_at: new Date() })
          .where('job_id', '=', result.jobId)
          // Only the device the job was offered to can say how it went.
          .where('device_id', '=', result.deviceId)
          .where('state', '!=', 'done')
          .returning(['message_id', 'account_id'])
          .executeTakeFirst();
        if (!job) return false;
        const status = result.sent ? 'SENT' : 'FAILED';
        await enqueueStatus(trx, {
          messageId: job.message_id,
          accountId: job.account_id,
          status,
          errorCode: result.sent ? StatusErrorCode.None : result.errorCode || StatusErrorCode.Unknown,
          atMs: result.atMs || Date.now(),
          source: `device:${result.deviceId}`,
        });
        return true;
      }),
  );
}

export async function recordReceipt(db: Kysely<FleetTables>, receipt: DeliveryReceipt): Promise<boolean> {
  const { status } = receipt;
  return inSpan(
    'fleet.record-receipt',
    {
      kind: SpanKind.CONSUMER,
      parent: contextFromHeaders({ traceparent: receipt.traceparent }),
      attributes: { 'wagate.message_id': receipt.messageId, 'wagate.status': status },
    },
    () =>
      db.transaction().execute(async (trx) => {
        const job = await trx
          .selectFrom('jobs')
          .select(['message_id', 'account_id'])
          .where('message_id', '=', receipt.messageId)
          .where('device_id', '=', receipt.deviceId)
          .executeTakeFirst();
        if (!job) return false;
        await enqueueStatus(trx, {
          messageId: job.message_id,
          accountId: job.account_id,
          status,
          errorCode: 0,
          atMs: receipt.atMs || Date.now(),
          source: `device:${receipt.deviceId}`,
        });
        return true;
      }),
  );
}

export function enqueueStatus(trx: Kysely<FleetTables>, event: MessageStatusEvent): Promise<void> {
  return enqueueEvents(trx, [
    {
      topic: Topics.messageStatus,
      id: eventId.status(event.messageId, event.status),
      key: event.messageId,
      data: event,
      // The account rides along as baggage, so dispatch's and billing's spans and logs name it.
      headers: withAccount(event.accountId, () => traceHeaders()),
    },
  ]);
}

/**
 * Announces a message a device received to dispatch, for the account of the device's sender
 * pool. A device outside any pool has nobody to tell: its inbound is dropped (and logged by
 * the caller). Repeats carry the same event id, and dispatch keeps one per device message key.
 */
export async function recordInbound(db: Kysely<FleetTables>, inbound: InboundReport): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const device = await trx
      .selectFrom('devices')
      .innerJoin('senders', 'senders.id', 'devices.sender_id')
      .select(['devices.phone_number', 'senders.account_id', 'senders.name as sender'])
      .where('devices.id', '=', inbound.deviceId)
      .executeTakeFirst();
    if (!device) return false;
    const event: MessageInboundEvent = {
      accountId: device.account_id,
      deviceId: inbound.deviceId,
      deviceMessageKey: inbound.deviceMessageKey,
      to: device.phone_number,
      sender: device.sender,
      from: inbound.from,
      text: inbound.text,
      profileName: inbound.profileName,
      atMs: inbound.atMs || Date.now(),
      ...(inbound.content ? { content: inbound.content } : {}),
    };
    await enqueueEvents(trx, [
      {
        topic: Topics.messageInbound,
        id: eventId.inbound(inbound.deviceId, inbound.deviceMessageKey),
        key: inbound.deviceId,
        data: event,
        headers: traceHeaders(),
      },
    ]);
    return true;
  });
}
