import {
  eventId,
  fleet,
  type InboundContent,
  type MessageInboundEvent,
  type MessageStatusEvent,
  Topics,
} from '@wagate/contracts';
import { StatusErrorCode } from '@wagate/errors';
import type { PublishInput } from '@wagate/bus';
import { enqueueEvents } from '@wagate/outbox';
import {
  activeContext,
  type Context,
  contextFromHeaders,
  inSpan,
  SpanKind,
  traceHeaders,
  traceHeadersWithAccount,
} from '@wagate/telemetry';
import { type Kysely, sql } from 'kysely';
import { FLEET_SCHEMA, type FleetTables } from './db/tables.js';

/** A report with the trace context it arrived in (its span), so its event continues that trace. */
export interface Traced<Report> {
  report: Report;
  context: Context;
}

/**
 * Turns what devices report into `message.status` events, through the outbox. A job's result
 * is applied once (the state guard ignores a repeated report after a reconnect); receipts
 * are keyed by message and status, so repeats are dropped downstream.
 */
export async function recordJobResult(db: Kysely<FleetTables>, result: fleet.JobResult): Promise<boolean> {
  return inSpan('fleet.record-result', resultSpan(result), async () => {
    const [recorded] = await recordJobResults(db, [{ report: result, context: activeContext() }]);
    return recorded!;
  });
}

/** The span of one result, whether it is recorded alone or in a batch. */
export function resultSpan(result: fleet.JobResult) {
  return {
    kind: SpanKind.CONSUMER,
    parent: contextFromHeaders({ traceparent: result.traceparent }),
    attributes: {
      'wagate.message_id': result.messageId,
      'wagate.device_id': result.deviceId,
      'wagate.sent': result.sent,
    },
  };
}

/**
 * Results of many devices in one transaction (two statements): each job still offered to the
 * device that reports it becomes done, with its status event. Answers, in order, whether each
 * result was recorded (false: another device's job, or a repeat, also within the batch).
 */
export async function recordJobResults(
  db: Kysely<FleetTables>,
  results: Array<Traced<fleet.JobResult>>,
): Promise<boolean[]> {
  if (results.length === 0) return [];
  const reported = sql.join(
    results.map(({ report }) => sql`(${report.jobId}::text, ${report.deviceId}::text)`),
  );
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ job_id: string; device_id: string; message_id: string; account_id: string }>`
      update ${sql.table(`${FLEET_SCHEMA}.jobs`)} as job set state = 'done', updated_at = now()
      from (values ${reported}) as reported (job_id, device_id)
      -- Only the device the job was offered to can say how it went.
      where job.job_id = reported.job_id and job.device_id = reported.device_id and job.state <> 'done'
      returning job.job_id, job.device_id, job.message_id, job.account_id`.execute(trx);
    const done = new Map(rows.map((row) => [row.job_id, row]));
    const recorded = results.map(({ report, context }) => {
      const job = done.get(report.jobId);
      // The first report of a job in the batch records it; a repeat beside it does not.
      if (!job || job.device_id !== report.deviceId) return undefined;
      done.delete(report.jobId);
      return statusEvent(context, {
        messageId: job.message_id,
        accountId: job.account_id,
        status: report.sent ? 'SENT' : 'FAILED',
        errorCode: report.sent ? StatusErrorCode.None : report.errorCode || StatusErrorCode.Unknown,
        atMs: Number(report.atMs) || Date.now(),
        source: `device:${report.deviceId}`,
      });
    });
    await enqueueEvents(
      trx,
      recorded.filter((event) => event !== undefined),
    );
    return recorded.map((event) => event !== undefined);
  });
}

export async function recordReceipt(db: Kysely<FleetTables>, receipt: fleet.Receipt): Promise<boolean> {
  return inSpan('fleet.record-receipt', receiptSpan(receipt), async () => {
    const [recorded] = await recordReceipts(db, [{ report: receipt, context: activeContext() }]);
    return recorded!;
  });
}

export function receiptSpan(receipt: fleet.Receipt) {
  return {
    kind: SpanKind.CONSUMER,
    parent: contextFromHeaders({ traceparent: receipt.traceparent }),
    attributes: { 'wagate.message_id': receipt.messageId, 'wagate.status': receiptStatus(receipt) ?? '' },
  };
}

function receiptStatus(receipt: fleet.Receipt): 'DELIVERED' | 'READ' | undefined {
  return receipt.kind === fleet.ReceiptKind.RECEIPT_KIND_DELIVERED
    ? 'DELIVERED'
    : receipt.kind === fleet.ReceiptKind.RECEIPT_KIND_READ
      ? 'READ'
      : undefined;
}

/**
 * Receipts of many devices in two statements: each becomes a status event of the message when
 * the message's job was offered to the device that reports it. Answers, in order, whether each
 * was recorded.
 */
export async function recordReceipts(
  db: Kysely<FleetTables>,
  receipts: Array<Traced<fleet.Receipt>>,
): Promise<boolean[]> {
  // A message id is a 64-bit integer: anything else names no job (and must not fail the batch).
  const known = receipts.filter(
    ({ report }) => receiptStatus(report) !== undefined && /^\d{1,19}$/.test(report.messageId),
  );
  if (known.length === 0) return receipts.map(() => false);
  const reported = sql.join(
    known.map(({ report }) => sql`(${report.messageId}::bigint, ${report.deviceId}::text)`),
  );
  const { rows } = await sql<{ message_id: string; device_id: string; account_id: string }>`
    select job.message_id, job.device_id, job.account_id
    from ${sql.table(`${FLEET_SCHEMA}.jobs`)} as job
    join (values ${reported}) as reported (message_id, device_id)
      on job.message_id = reported.message_id and job.device_id = reported.device_id`.execute(db);
  const jobs = new Map(rows.map((row) => [`${row.message_id}/${row.device_id}`, row]));
  const recorded = receipts.map(({ report, context }) => {
    const job = jobs.get(`${report.messageId}/${report.deviceId}`);
    const status = receiptStatus(report);
    if (!job || !status) return undefined;
    return statusEvent(context, {
      messageId: job.message_id,
      accountId: job.account_id,
      status,
      errorCode: 0,
      atMs: Number(report.atMs) || Date.now(),
      source: `device:${report.deviceId}`,
    });
  });
  // One statement: the events of the batch are written together or not at all.
  await enqueueEvents(
    db,
    recorded.filter((event) => event !== undefined),
  );
  return recorded.map((event) => event !== undefined);
}

export function enqueueStatus(trx: Kysely<FleetTables>, event: MessageStatusEvent): Promise<void> {
  return enqueueEvents(trx, [statusEvent(activeContext(), event)]);
}

/** A status event, its trace headers those of `context` with the account as baggage (dispatch's and billing's spans and logs name it). */
function statusEvent(context: Context, event: MessageStatusEvent): PublishInput {
  return {
    topic: Topics.messageStatus,
    id: eventId.status(event.messageId, event.status),
    key: event.messageId,
    data: event,
    headers: traceHeadersWithAccount(context, event.accountId),
  };
}

/**
 * Announces a message a device received to dispatch, for the account of the device's sender
 * pool. A device outside any pool has nobody to tell: its inbound is dropped (and logged by
 * the caller). Repeats carry the same event id, and dispatch keeps one per device message key.
 */
export async function recordInbound(
  db: Kysely<FleetTables>,
  inbound: fleet.InboundMessage,
): Promise<boolean> {
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
      atMs: Number(inbound.atMs) || Date.now(),
      ...contentOf(inbound),
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

/** The proto's media, location and contact cards in the event's (the webhook's) terms; nothing for plain text. */
export function contentOf(inbound: fleet.InboundMessage): { content?: InboundContent } {
  const content: InboundContent = {};
  if (inbound.media?.url) {
    const { url, contentType, name } = inbound.media;
    content.media = { url, contentType, name };
  }
  if (inbound.location) {
    const { latitude, longitude, address, name, url } = inbound.location;
    content.location = { latitude, longitude, address, addressName: name, addressUrl: url };
  }
  if (inbound.contacts.length > 0) {
    content.contacts = inbound.contacts.map((card) => ({
      contactName: card.name,
      contactCompany: card.company,
      birthday: card.birthday,
      phones: card.phones.map(({ phone, waId, type }) => ({ phone, waId, type })),
      emails: card.emails,
      urls: card.urls,
      addresses: card.addresses,
    }));
  }
  return Object.keys(content).length === 0 ? {} : { content };
}
