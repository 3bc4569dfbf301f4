import type { MessageAcceptedEvent } from '@wagate/contracts';
import { StatusErrorCode } from '@wagate/errors';
import { sql } from 'kysely';
import { textFingerprint } from './fingerprints.js';
import type { PolicyContext, PolicyRule, Refusal } from './policy-rule.js';
import { batchTime } from './token-bucket.js';

export interface YoungSenderLimit {
  /** A sender is young for this long after the account's first message from it. */
  youngForMs: number;
  /** How many distinct recipients a young sender may send one text within `windowMs`. */
  maxRecipients: number;
  windowMs: number;
}

/**
 * 2001: a young sender sending one text to many distinct recipients is the shape of a spam
 * run from a fresh number. A sender's age runs from the account's first accepted message from
 * it (fleet does not report when a number was enrolled). Of a young sender's text, the first
 * `maxRecipients` distinct recipients within the window pass (a recipient already counted passes
 * again); later ones are refused. Counting happens under a lock on the (sender, text) group row,
 * so replicas accepting the same text at once count it together.
 */
export function youngSenderRule(limit: YoungSenderLimit): PolicyRule {
  return {
    name: 'young-sender',
    errorCode: StatusErrorCode.Spam,
    async refuse(messages, context) {
      const nowMs = batchTime(messages);
      const young = await youngSenders(context, messages, nowMs - limit.youngForMs);
      const groups = new Map<string, MessageAcceptedEvent[]>();
      for (const message of messages) {
        if (!young.has(message.sender)) continue;
        const key = JSON.stringify([message.sender, textFingerprint(message)]);
        groups.set(key, [...(groups.get(key) ?? []), message]);
      }
      if (groups.size === 0) return [];
      return countRecipients(context, groups, nowMs, limit);
    },
  };
}

/** Records when the batch's senders were first used and answers which are younger than `bornAfterMs`. */
async function youngSenders(
  { trx, accountId }: PolicyContext,
  messages: readonly MessageAcceptedEvent[],
  bornAfterMs: number,
): Promise<Set<string>> {
  const firstUse = new Map<string, number>();
  for (const message of messages) {
    const at = Number(message.acceptedAtMs);
    firstUse.set(message.sender, Math.min(at, firstUse.get(message.sender) ?? at));
  }
  const rows = await trx
    .insertInto('senders_seen')
    .values(
      [...firstUse].map(([sender, at]) => ({
        account_id: accountId,
        sender,
        first_accepted_at: new Date(at),
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(['account_id', 'sender']).doUpdateSet({
        first_accepted_at: sql`least(senders_seen.first_accepted_at, excluded.first_accepted_at)`,
      }),
    )
    .returning(['sender', 'first_accepted_at'])
    .execute();
  return new Set(
    rows.filter((row) => row.first_accepted_at.getTime() > bornAfterMs).map((row) => row.sender),
  );
}

/**
 * Admits each group's messages while its distinct recipients stay within the limit, in three
 * statements for the whole batch: lock the groups' own rows (recipient ''), read the recipients
 * counted within the window, record the ones admitted now.
 */
async function countRecipients(
  { trx, accountId }: PolicyContext,
  groups: Map<string, MessageAcceptedEvent[]>,
  nowMs: number,
  limit: YoungSenderLimit,
): Promise<Refusal[]> {
  const now = new Date(nowMs);
  const keys = [...groups.keys()].sort();
  const groupRow = (key: string, recipient: string) => {
    const [sender, fingerprint] = JSON.parse(key) as [string, string];
    return { account_id: accountId, sender, text_fingerprint: fingerprint, recipient, seen_at: now };
  };
  const upsert = (rows: ReturnType<typeof groupRow>[]) =>
    trx
      .insertInto('text_fanout')
      .values(rows)
      .onConflict((conflict) =>
        conflict
          .columns(['account_id', 'sender', 'text_fingerprint', 'recipient'])
          .doUpdateSet({ seen_at: now }),
      )
      .execute();
  // Sorted, so two batches lock their groups in the same order; held until the accept commits.
  await upsert(keys.map((key) => groupRow(key, '')));
  const counted = await trx
    .selectFrom('text_fanout')
    .select(['sender', 'text_fingerprint', 'recipient'])
    .where('account_id', '=', accountId)
    .where(
      'text_fingerprint',
      'in',
      keys.map((key) => groupRow(key, '').text_fingerprint),
    )
    .where('recipient', '<>', '')
    .where('seen_at', '>', new Date(nowMs - limit.windowMs))
    .execute();
  const recipientsOf = new Map(keys.map((key) => [key, new Set<string>()]));
  for (const row of counted)
    recipientsOf.get(JSON.stringify([row.sender, row.text_fingerprint]))?.add(row.recipient);

  const refusals: Refusal[] = [];
  const passed: ReturnType<typeof groupRow>[] = [];
  for (const key of keys) {
    const recipients = recipientsOf.get(key)!;
    for (const message of groups.get(key)!) {
      if (recipients.has(message.recipient) || recipients.size < limit.maxRecipients) {
        recipients.add(message.recipient);
        passed.push(groupRow(key, message.recipient));
        continue;
      }
      refusals.push({
        messageId: message.messageId,
        reason: `sender "${message.sender}" is new (first used less than ${Math.round(limit.youngForMs / 86_400_000)} days ago) and sent this text to ${limit.maxRecipients} recipients within ${limit.windowMs / 60_000} min already`,
      });
    }
  }
  // One row per recipient: a recipient twice in the batch would be one upsert touching its row twice.
  const unique = new Map(
    passed.map((row) => [JSON.stringify([row.sender, row.text_fingerprint, row.recipient]), row]),
  );
  if (unique.size > 0) await upsert([...unique.values()]);
  return refusals;
}
