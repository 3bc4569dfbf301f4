import type { common } from '@wagate/contracts';
import { StatusErrorCode } from '@wagate/errors';
import { sql } from 'kysely';
import { contentFingerprint } from './fingerprints.js';
import type { PolicyRule } from './policy-rule.js';

/**
 * 2009: a message the same as one accepted less than `windowMs` before it is refused. One row
 * per (account, fingerprint) holds the last message that passed; the upsert replaces it only
 * when it is older than the window, and returns a row only then — so of two replicas racing
 * with the same message, exactly one wins (the row lock of ON CONFLICT DO UPDATE orders them).
 * The window runs from the last message that passed, by acceptance time.
 */
export function duplicateRule(windowMs: number): PolicyRule {
  return {
    name: 'duplicate',
    errorCode: StatusErrorCode.Duplicate,
    async refuse(messages, { trx, accountId }) {
      const firstByFingerprint = new Map<string, common.OutboundMessage>();
      const refusals = [];
      for (const message of messages) {
        const fingerprint = contentFingerprint(message);
        const first = firstByFingerprint.get(fingerprint);
        if (first) refusals.push(duplicateOf(message, first.messageId, windowMs));
        else firstByFingerprint.set(fingerprint, message);
      }
      if (firstByFingerprint.size === 0) return refusals;
      const passed = await trx
        .insertInto('duplicate_fingerprints')
        .values(
          // In fingerprint order: two transactions upserting overlapping fingerprints then lock
          // them in the same order and wait for each other instead of deadlocking.
          [...firstByFingerprint]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([fingerprint, message]) => ({
              account_id: accountId,
              fingerprint,
              message_id: message.messageId,
              seen_at: new Date(Number(message.acceptedAtMs)),
            })),
        )
        .onConflict((conflict) =>
          conflict
            .columns(['account_id', 'fingerprint'])
            .doUpdateSet((eb) => ({
              message_id: eb.ref('excluded.message_id'),
              seen_at: eb.ref('excluded.seen_at'),
            }))
            .where(
              'duplicate_fingerprints.seen_at',
              '<=',
              sql<Date>`excluded.seen_at - ${`${windowMs} milliseconds`}::interval`,
            ),
        )
        .returning('fingerprint')
        .execute();
      const passedSet = new Set(passed.map((row) => row.fingerprint));
      const blocked = [...firstByFingerprint].filter(([fingerprint]) => !passedSet.has(fingerprint));
      if (blocked.length === 0) return refusals;
      const earlier = await trx
        .selectFrom('duplicate_fingerprints')
        .select(['fingerprint', 'message_id'])
        .where('account_id', '=', accountId)
        .where(
          'fingerprint',
          'in',
          blocked.map(([fingerprint]) => fingerprint),
        )
        .execute();
      const earlierBy = new Map(earlier.map((row) => [row.fingerprint, row.message_id]));
      for (const [fingerprint, message] of blocked) {
        refusals.push(duplicateOf(message, earlierBy.get(fingerprint) ?? '?', windowMs));
      }
      return refusals;
    },
  };
}

function duplicateOf(message: common.OutboundMessage, earlierId: string, windowMs: number) {
  return {
    messageId: message.messageId,
    reason: `the same message (sender, recipient and content) as ${earlierId}, within ${windowMs / 1000} s`,
  };
}
