import type { common, dispatch, templates } from '@wagate/contracts';
import { ErrorKey, StatusErrorCode } from '@wagate/errors';
import type { IdGenerator } from '@wagate/ids';
import { createLogger, setSpanAttributes } from '@wagate/telemetry';
import { ClientError, Status } from 'nice-grpc';
import type { Recovery } from '../http/idempotency-gate.js';
import { apiMetrics } from '../metrics.js';
import type { Peers } from '../peers.js';
import type { SendResult } from '../schemas/send.js';
import type { AncestorResolver } from './account-ancestors.js';
import type { SendCalls } from './coalesced-calls.js';
import { resolveSenderNumbers } from './sender-numbers.js';
import { type OutboundUrlRules, validateMessage } from '../validation/validate-message.js';

const log = createLogger('api:send');

type Candidate = { index: number; message: common.OutboundMessage };

/**
 * What a send records before it calls any peer, so a retry of the request (same Idempotency-Key,
 * after the api died) hands out the same message ids at the same acceptance time: billing and
 * dispatch take a message id they already know as the same message, never a second one.
 */
export interface SendPlan {
  acceptedAtMs: string;
  /** The message id of each message of the request, by index; null for one that failed validation. */
  messageIds: Array<string | null>;
}

/** Where a batch got to: a failure before dispatch was asked leaves nothing sent. */
export type SendStage = 'validating' | 'rendering' | 'reserving' | 'accepting' | 'done';

/**
 * Sends one batch: each message is validated on its own, then the valid ones go through one
 * gRPC call per concern — templates `Render` (template messages only; it comes first because
 * billing prices templates by their category), billing `Reserve`, dispatch `Accept` — never a
 * call per message (and Reserve and Accept coalesced with the account's other sends in flight,
 * see `coalescedSendCalls`). Every message gets its result at its index,
 * so the response is in request order; valid messages are sent even when others are rejected.
 * `progress` tells the caller how far it got, should a call throw. `accountRate` is the
 * account's send-rate bucket after the batch, when dispatch was asked and the limit is on.
 */
export async function sendBatch(
  deps: {
    peers: Peers;
    sendCalls: SendCalls;
    ids: IdGenerator;
    ancestors: AncestorResolver;
    outboundUrls?: OutboundUrlRules;
  },
  accountId: string,
  messages: readonly unknown[],
  progress: { stage: SendStage } = { stage: 'validating' },
  recovery?: Recovery<SendPlan>,
): Promise<{ results: SendResult[]; accountRate?: dispatch.AccountRate }> {
  const resumed = recovery?.saved;
  const acceptedAtMs = resumed?.acceptedAtMs ?? String(Date.now());
  const results: SendResult[] = new Array(messages.length);
  const reject = (index: number, key: ErrorKey, field: string, description: string) => {
    results[index] = {
      code: 'REJECTED',
      reasons: [{ key, ref: field ? `messages[${index}].${field}` : `messages[${index}]` }],
      description,
    };
  };

  let pending: Candidate[] = [];
  const reservedIds = new Set<string>();
  const acceptedIds = new Set<string>();
  messages.forEach((raw, index) => {
    const validation = validateMessage(raw, index, deps.outboundUrls);
    if (!validation.ok) {
      results[index] = { code: 'REJECTED', reasons: validation.reasons, description: validation.description };
      return;
    }
    pending.push({
      index,
      message: {
        ...validation.message,
        messageId: resumed?.messageIds[index] ?? deps.ids.next(),
        accountId,
        acceptedAtMs,
      },
    });
  });
  if (recovery && pending.length > 0) {
    const messageIds: Array<string | null> = messages.map(() => null);
    for (const { index, message } of pending) messageIds[index] = message.messageId;
    await recovery.save({ acceptedAtMs, messageIds });
  }

  await resolveSenderNumbers(
    deps.peers.fleet,
    accountId,
    pending.map(({ message }) => message),
  );

  // A template that does not render is still accepted: it fails with its code (2308–2311) as a
  // status callback, as the contract has it, instead of a request-time rejection.
  const failures: Record<string, number> = {};
  // Templates are priced by their category, so rendering comes before billing.
  const categories = new Map<string, string>();
  const templated = pending.filter(({ message }) => message.templateId);
  if (templated.length > 0) {
    progress.stage = 'rendering';
    const { results: rendered } = await deps.peers.templates.render({
      accountId,
      items: templated.map(({ message }) => ({
        messageId: message.messageId,
        templateId: message.templateId!,
        params: message.templateParams,
        languageCode: message.languageCode ?? '',
      })),
    });
    templated.forEach(({ message }, i) => {
      const outcome = rendered[i];
      if (outcome?.errorCode === 0) {
        useRendering(message, outcome);
        categories.set(message.messageId, outcome.category);
      } else failures[message.messageId] = outcome?.errorCode || StatusErrorCode.Unknown;
    });
  }

  // A message that fails to render is accepted to fail at once; it costs nothing, so it is not reserved.
  const payable = pending.filter(({ message }) => failures[message.messageId] === undefined);
  if (payable.length > 0) {
    progress.stage = 'reserving';
    const { results: reserved } = await deps.sendCalls.reserve({
      accountId,
      items: payable.map(({ message }) => ({
        messageId: message.messageId,
        recipient: message.recipient,
        sender: message.sender,
        kind: message.templateId ? 'template' : message.contentUrl ? 'media' : 'text',
        templateCategory: categories.get(message.messageId) ?? '',
      })),
    });
    const refused = new Set<string>();
    payable.forEach((candidate, i) => {
      const outcome = reserved[i];
      if (outcome?.reserved) {
        reservedIds.add(candidate.message.messageId);
        return;
      }
      refused.add(candidate.message.messageId);
      results[candidate.index] = {
        code: 'REJECTED',
        reasons: [{ key: (outcome?.rejectionKey as ErrorKey) || ErrorKey.BillingError }],
        description:
          outcome?.description || 'payment is required: top up the account or raise its credit limit',
      };
    });
    pending = pending.filter(({ message }) => !refused.has(message.messageId));
  }

  let accountRate: dispatch.AccountRate | undefined;
  if (pending.length > 0) {
    progress.stage = 'accepting';
    let accepted: dispatch.AcceptResult[];
    try {
      let bucket: dispatch.AccountRate | undefined;
      ({ results: accepted, accountRate: bucket } = await deps.sendCalls.accept({
        accountId,
        // The blocklists of every account above this one apply to its messages.
        ancestorAccountIds: await resellerChain(deps.ancestors, accountId),
        messages: pending.map(({ message }) => message),
        failures,
      }));
      accountRate = bucket;
    } catch (error) {
      // Dispatch accepted none of them: their funds go back now. If it may have accepted them
      // (a deadline; or an earlier attempt of a resumed request may have), or billing cannot be
      // reached, billing's sweep asks dispatch and settles them later.
      if (!resumed && !dispatchMayHaveAccepted(error) && reservedIds.size > 0) {
        await deps.peers.billing
          .release({ accountId, messageIds: [...reservedIds] })
          .catch((releaseError: unknown) =>
            log.warn({ err: releaseError }, 'release after a failed accept failed'),
          );
      }
      throw error;
    }
    pending.forEach((candidate, i) => {
      const outcome = accepted[i];
      if (outcome?.accepted) {
        results[candidate.index] = { code: 'OK', messageId: candidate.message.messageId };
        acceptedIds.add(candidate.message.messageId);
      } else {
        reject(
          candidate.index,
          (outcome?.rejection?.key as ErrorKey) || ErrorKey.Unknown,
          outcome?.rejection?.ref ?? '',
          outcome?.rejection?.description || 'the message was not accepted',
        );
      }
    });
  }
  // Paid for but not accepted (unknown sender): give the funds back, in one call. Accepted ones that
  // fail at once are released by billing when their FAILED status arrives.
  const unused = [...reservedIds].filter((id) => !acceptedIds.has(id));
  if (unused.length > 0) await deps.peers.billing.release({ accountId, messageIds: unused });
  progress.stage = 'done';
  const { acceptedMessages } = apiMetrics();
  for (const result of results) {
    if (result.code === 'OK') acceptedMessages.add(1, { result: 'accepted', key: '' });
    else acceptedMessages.add(1, { result: 'rejected', key: result.reasons?.[0]?.key ?? '' });
  }
  return { results, ...(accountRate && { accountRate }) };
}

/**
 * Whether a failed dispatch `Accept` may still have accepted the messages. It did not when
 * dispatch answered with an error (its Accept is one transaction, rolled back when it throws) or
 * could not be reached. A deadline or a cancellation while it was accepting leaves it unknown.
 * (A connection that breaks in the middle of the call also reads as UNAVAILABLE; that is far
 * rarer than a peer being down, and billing's sweep and dispatch's idempotent Accept cover it.)
 */
export function dispatchMayHaveAccepted(error: unknown): boolean {
  return !(error instanceof ClientError) || [Status.DEADLINE_EXCEEDED, Status.CANCELLED].includes(error.code);
}

/** The rendered text (and a media header, unless the message brings its own content) is what is sent. */
function useRendering(message: common.OutboundMessage, rendered: templates.RenderResult): void {
  message.text = rendered.text;
  if (rendered.contentUrl && !message.contentUrl) {
    message.contentUrl = rendered.contentUrl;
    message.contentType = rendered.contentType;
  }
}

/** The accounts above this one (its resellers), named on the request's span for tracing. */
async function resellerChain(ancestors: AncestorResolver, accountId: string): Promise<string[]> {
  const chain = await ancestors(accountId);
  setSpanAttributes({ 'wagate.reseller_chain': chain });
  return chain;
}
