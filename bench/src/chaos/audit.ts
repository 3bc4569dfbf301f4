import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ledgerProblems } from '@wagate/billing/testing';
import { type Database, withSchema } from '@wagate/db';
import { readSimSentRecord } from '@wagate/device-agent';
import type { ReceivedCallback } from '@wagate/testkit';
import { type Kysely, sql } from 'kysely';
import type { RequestRecord } from './load.js';

/** Each must be 0 after a chaos run; the report prints them all. */
export interface AuditFindings {
  /** Ids the client was given (OK) that dispatch does not hold. */
  lost: number;
  /** Accepted messages that never reached SENT, FAILED or EXPIRED. */
  stuck: number;
  /** Messages a phone's own record shows sent more than once. */
  sentTwice: number;
  /** Messages charged more than once (charge transactions per message). */
  chargedTwice: number;
  /** Messages charged that no phone sent, or sent by a phone and marked FAILED/EXPIRED (the record is definite). */
  statusDisagreesWithPhone: number;
  /** Reservations still holding funds after the drain. */
  heldForever: number;
  /** Problems of the double-entry ledger (unbalanced transactions, balances or holds). */
  ledgerProblems: number;
  /** Status changes recorded by dispatch whose callback never arrived. */
  callbacksLost: number;
  /** Requests that never got a 200 (so never learned their message ids). */
  neverLearnedIds: number;
  /** Answers 500 (a peer down must be 503). */
  answered500: number;
}

export interface AuditFacts {
  requests: number;
  messagesRequested: number;
  accepted: number;
  sentByPhones: number;
  byStatus: Record<string, number>;
  rejectedInResponses: number;
  answersByStatus: Record<string, number>;
  callbacks: number;
}

/** The audit, from the database and from the phones' own records, never from the services' word. */
export async function audit(options: {
  database: Database;
  accountId: string;
  phoneRecordDir: string;
  records: RequestRecord[];
  callbacks: ReceivedCallback[];
  /**
   * Statuses recorded after this (by the database's clock) are not counted for callbacks: a
   * phone's late READ may land while the audit runs, its callback a moment behind.
   */
  statusesRecordedBy: Date;
}): Promise<{ findings: AuditFindings; facts: AuditFacts }> {
  const db = options.database.db as Kysely<any>;
  const accountId = options.accountId;
  const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(db)).rows;

  const messages = await rows<{ id: string; status: string }>(
    sql`select id::text as id, status from dispatch.messages where account_id = ${accountId}`,
  );
  const statusOf = new Map(messages.map((m) => [m.id, m.status]));
  const byStatus: Record<string, number> = {};
  for (const m of messages) byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;

  const learned = options.records.flatMap((r) => r.okIds ?? []);
  const lost = learned.filter((id) => !statusOf.has(id)).length;
  const stuck = messages.filter((m) => m.status === 'ACCEPTED').length;

  const sentCount = new Map<string, number>();
  for (const file of readdirSync(options.phoneRecordDir).filter((name) => name.endsWith('.sent.jsonl'))) {
    for (const record of readSimSentRecord(join(options.phoneRecordDir, file))) {
      sentCount.set(record.messageId, (sentCount.get(record.messageId) ?? 0) + 1);
    }
  }
  const sentTwice = [...sentCount.values()].filter((count) => count > 1).length;

  const charges = await rows<{ message_id: string; transactions: string }>(sql`
    select message_id::text, count(distinct transaction_id) as transactions
    from billing.ledger_entries where kind = 'charge' and message_id is not null group by message_id`);
  const chargedTwice = charges.filter((c) => Number(c.transactions) > 1).length;
  const chargedNotSent = charges.filter((c) => !sentCount.has(c.message_id)).length;
  const sentButFailed = [...sentCount.keys()].filter((id) =>
    ['FAILED', 'EXPIRED'].includes(statusOf.get(id) ?? ''),
  ).length;

  const held = await rows<{ n: string }>(sql`
    select count(*) as n from billing.reservations where account_id = ${accountId} and state = 'reserved'`);

  // Every status in a message's history after ACCEPTED is a callback (SENT, DELIVERED, READ, FAILED, EXPIRED).
  const history = await rows<{ message_id: string; status: string }>(sql`
    select distinct h.message_id::text, h.status from dispatch.status_history h
    join dispatch.messages m on m.id = h.message_id
    where m.account_id = ${accountId} and h.status <> 'ACCEPTED' and h.recorded_at <= ${options.statusesRecordedBy}`);
  const called = new Set<string>();
  for (const callback of options.callbacks) {
    // Ids are above 2^53: read them from the raw JSON, never through JSON.parse.
    for (const match of callback.rawBody.matchAll(/"messageId":(\d+),[^}]*?"status":"(\w+)"/g)) {
      called.add(`${match[1]}/${match[2]}`);
    }
  }
  const callbacksLost = history.filter((h) => !called.has(`${h.message_id}/${h.status}`)).length;

  const answersByStatus: Record<string, number> = {};
  for (const record of options.records) {
    for (const [status, count] of Object.entries(record.statuses)) {
      answersByStatus[status] = (answersByStatus[status] ?? 0) + count;
    }
  }

  return {
    findings: {
      lost,
      stuck,
      sentTwice,
      chargedTwice,
      statusDisagreesWithPhone: chargedNotSent + sentButFailed,
      heldForever: Number(held[0]!.n),
      ledgerProblems: (await ledgerProblems(withSchema(options.database, 'billing'))).length,
      callbacksLost,
      neverLearnedIds: options.records.filter((r) => r.okIds === undefined).length,
      answered500: answersByStatus['500'] ?? 0,
    },
    facts: {
      requests: options.records.length,
      messagesRequested: options.records.reduce((sum, r) => sum + r.messages, 0),
      accepted: messages.length,
      sentByPhones: sentCount.size,
      byStatus,
      rejectedInResponses: options.records.reduce((sum, r) => sum + (r.rejected ?? 0), 0),
      answersByStatus,
      callbacks: options.callbacks.length,
    },
  };
}
