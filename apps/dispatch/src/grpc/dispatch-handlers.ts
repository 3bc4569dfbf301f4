import { dispatch } from '@wagate/contracts';
import { createGroupCommit } from '@wagate/db';
import { DomainError, ErrorKey } from '@wagate/errors';
import { mount, type ServiceMount } from '@wagate/rpc';
import { traceHeaders } from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import { type AcceptAnswer, type AcceptCall, type AcceptInput, acceptCalls } from '../accept.js';
import { getBlocklist, setBlocklist } from '../blocklists/index.js';
import { getConversationWindowPolicy, setConversationWindowPolicy } from '../conversation-window/index.js';
import type { DispatchTables } from '../db/tables.js';
import { findMessages } from '../find-messages.js';
import { getMessage } from '../get-message.js';
import { listMessages } from '../list-messages.js';
import { addOptOuts, listOptOuts, removeOptOut } from '../opt-outs/index.js';
import type { PolicyRule, PolicySettings } from '../policy/index.js';
import { requireAccount } from '../require-account.js';
import type { SenderDirectory } from '../sender-directory.js';
import { listFailedCallbacks, listMessageCallbacks, replayCallback } from '../webhooks/failed-callbacks.js';
import { enableWebhookEndpoint, listWebhookEndpoints } from '../webhooks/webhook-endpoints.js';
import type { WebhookSecrets } from '../webhooks/webhook-secrets.js';
import { getWebhookSettings, setWebhookSettings } from '../webhooks/webhook-settings.js';
import { DISPATCH_ACCESS } from './access.js';
import {
  blocklistToProto,
  conversationWindowPolicyToProto,
  failedCallbackToProto,
  messageCallbackToProto,
  messageRecordToProto,
  messageSummaryToProto,
  optOutToProto,
  webhookEndpointToProto,
  webhookSettingsToProto,
} from './to-proto.js';

/**
 * An accept group holds at most this many messages (ten full requests): one transaction's
 * statements stay far below PostgreSQL's 65 535 parameters (12 a message in the largest).
 */
const ACCEPT_GROUP_MAX_MESSAGES = 1_000;
/**
 * Two groups in flight, on two lanes by account: while one waits for its commit to reach the
 * disk, the next is written; an account's calls never run in two groups at once (with a rate
 * limit they would queue on its bucket's row; in any case one larger group pays the policy
 * reads and the round trips once).
 */
const ACCEPT_LANES = 2;

interface HandlerDeps {
  db: Kysely<DispatchTables>;
  senders: SenderDirectory;
  rules: readonly PolicyRule[];
  policy: PolicySettings | undefined;
  secrets: WebhookSecrets;
  /** Events were queued in the outbox. */
  kickRelay(): void;
  /** Callbacks were queued. */
  kickCallbacks(): void;
}

/** Dispatch's gRPC service, mounted with its access table. */
export function mountDispatchGrpc(deps: HandlerDeps): ServiceMount {
  return mount(dispatch.DispatchServiceDefinition, dispatchHandlers(deps), DISPATCH_ACCESS);
}

/**
 * The gRPC handlers: each reads its request into domain types, calls the domain and answers in
 * proto. Accept's request and answer have the domain's shape (`AcceptInput`, `AcceptAnswer`), so
 * they pass as they are: the compiler keeps the two in step.
 */
function dispatchHandlers(deps: HandlerDeps): dispatch.DispatchServiceImplementation {
  const { db, senders, rules, policy, secrets, kickRelay, kickCallbacks } = deps;

  // Accept calls that arrive while others commit share the next transaction (`createGroupCommit` in @wagate/db).
  const acceptor = createGroupCommit<AcceptCall, AcceptAnswer>({
    async run(calls) {
      const { responses, failedAtOnce } = await acceptCalls(db, senders, calls, rules, policy?.accountRate);
      kickRelay();
      // Messages that failed at once (rendering, the window, a policy rule) have their callbacks queued.
      if (failedAtOnce > 0) kickCallbacks();
      return responses;
    },
    sizeOf: (call) => call.request.messages.length,
    maxSize: ACCEPT_GROUP_MAX_MESSAGES,
    concurrency: 1,
    lanes: { count: ACCEPT_LANES, keyOf: (call) => call.request.accountId },
  });

  async function secretResponse(
    accountId: string,
    secretOf: (accountId: string) => Promise<string>,
  ): Promise<{ secret: dispatch.WebhookSecret }> {
    requireAccount(accountId);
    const secret = await secretOf(accountId);
    const previous = await secrets.previousExpiry(accountId);
    return { secret: { secret, previousExpiresAtMs: String(previous?.getTime() ?? 0) } };
  }

  return {
    async accept({ parts, ...request }) {
      if (parts.length === 0) return acceptor.submit({ request, traceHeaders: traceHeaders() });
      // The api's coalesced sends: each part is accepted as the call it was, in its own trace,
      // all in one group; the results come back in the parts' order.
      const answers = await Promise.all(acceptor.submitAll(splitParts(request, parts)));
      // Read after the group, so the last part's bucket is the account's after all of them.
      const accountRate = answers.at(-1)?.accountRate;
      return { results: answers.flatMap((answer) => answer.results), ...(accountRate && { accountRate }) };
    },
    getMessage: async (request) => messageRecordToProto(await getMessage(db, request)),
    findMessages: async (request) => ({ foundMessageIds: await findMessages(db, request) }),
    async listMessages(request) {
      const page = await listMessages(db, request);
      return { messages: page.messages.map(messageSummaryToProto), nextCursor: page.nextCursor };
    },
    getWebhookSettings: async (request) => ({
      settings: webhookSettingsToProto(await getWebhookSettings(db, request)),
    }),
    setWebhookSettings: async (request) => ({
      settings: webhookSettingsToProto(await setWebhookSettings(db, request)),
    }),
    getConversationWindowPolicy: async (request) => ({
      policy: conversationWindowPolicyToProto(await getConversationWindowPolicy(db, request)),
    }),
    setConversationWindowPolicy: async (request) => ({
      policy: conversationWindowPolicyToProto(await setConversationWindowPolicy(db, request)),
    }),
    async listFailedCallbacks(request) {
      const page = await listFailedCallbacks(db, request);
      return { callbacks: page.callbacks.map(failedCallbackToProto), nextCursor: page.nextCursor };
    },
    listMessageCallbacks: async (request) => ({
      callbacks: (await listMessageCallbacks(db, request)).map(messageCallbackToProto),
    }),
    getWebhookSecret: ({ accountId }) => secretResponse(accountId, secrets.current),
    rotateWebhookSecret: ({ accountId }) => secretResponse(accountId, (account) => secrets.rotate(account)),
    listWebhookEndpoints: async (request) => ({
      endpoints: (await listWebhookEndpoints(db, request)).map(webhookEndpointToProto),
    }),
    async enableWebhookEndpoint(request) {
      const { endpoint, replayed } = await enableWebhookEndpoint(db, request);
      if (replayed > 0) kickCallbacks();
      return { endpoint: webhookEndpointToProto(endpoint), replayed };
    },
    getBlocklist: async (request) => ({ blocklist: blocklistToProto(await getBlocklist(db, request)) }),
    setBlocklist: async (request) => ({ blocklist: blocklistToProto(await setBlocklist(db, request)) }),
    async listOptOuts(request) {
      const page = await listOptOuts(db, request);
      return { optOuts: page.optOuts.map(optOutToProto), nextCursor: page.nextCursor };
    },
    addOptOuts: (request) => addOptOuts(db, request),
    async removeOptOut(request) {
      await removeOptOut(db, request);
      return {};
    },
    async replayCallback(request) {
      const callback = await replayCallback(db, request);
      kickCallbacks();
      return { callback: failedCallbackToProto(callback) };
    },
  };
}

/** A coalesced Accept request back as the calls it was made of (see `AcceptRequest.parts`). */
function splitParts(request: AcceptInput, parts: readonly dispatch.AcceptPart[]): AcceptCall[] {
  const counted = parts.reduce((sum, part) => sum + part.messageCount, 0);
  if (counted !== request.messages.length) {
    throw new DomainError(
      ErrorKey.Invalid,
      `parts count ${counted} messages, the request has ${request.messages.length}`,
    );
  }
  let offset = 0;
  return parts.map((part) => {
    const messages = request.messages.slice(offset, offset + part.messageCount);
    offset += part.messageCount;
    const failures: Record<string, number> = {};
    for (const message of messages) {
      const code = request.failures[message.messageId];
      if (code !== undefined) failures[message.messageId] = code;
    }
    return { request: { ...request, messages, failures }, traceHeaders: part.traceHeaders };
  });
}
