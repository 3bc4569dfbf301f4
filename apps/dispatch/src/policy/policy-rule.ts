import type { MessageAcceptedEvent } from '@wagate/contracts';
import type { StatusErrorCode } from '@wagate/errors';
import type { Kysely } from 'kysely';
import type { DispatchTables } from '../db/tables.js';
import type { ResolvedSender } from '../sender-directory.js';

/** What a rule sees: the account's newly accepted messages, in the accept transaction. */
export interface PolicyContext {
  trx: Kysely<DispatchTables>;
  accountId: string;
  /** The accounts above it, root first: their blocklists apply too. */
  ancestorAccountIds: readonly string[];
  /** The senders of the batch as fleet resolved them (their numbers, for self-send). */
  senders: Map<string, ResolvedSender>;
}

/** A rule's verdict on one message it refuses: the reason is recorded and shown to the tenant. */
export interface Refusal {
  messageId: string;
  reason: string;
}

/**
 * One dispatch-policy rule. Rules are listed as data (default-rules.ts) and run by one engine
 * (evaluate-policy.ts); a rule only answers "which of these messages do I refuse, and why".
 */
export interface PolicyRule {
  /** Stable name, recorded in the status history and on the span (`wagate.policy.rule`). */
  name: string;
  /** The callback-time code a refused message fails with. */
  errorCode: StatusErrorCode;
  refuse(messages: MessageAcceptedEvent[], context: PolicyContext): Promise<Refusal[]>;
}

/** The decision for one refused message: which rule, with which code, and why. */
export interface PolicyDecision extends Refusal {
  rule: string;
  errorCode: StatusErrorCode;
}
