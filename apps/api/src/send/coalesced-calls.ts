import type { billing, dispatch } from '@wagate/contracts';
import { createGroupCommit } from '@wagate/db';
import { activeContext, inSpan, traceHeaders } from '@wagate/telemetry';
import type { Peers } from '../peers.js';

/** An Accept as a send makes it: the coalescer fills in `parts`. */
export type SendAccept = Omit<dispatch.AcceptRequest, 'parts'>;

/** The two calls every send makes, coalesced per account (see `coalescedSendCalls`). */
export interface SendCalls {
  reserve(request: billing.ReserveRequest): Promise<billing.ReserveResponse>;
  accept(request: SendAccept): Promise<dispatch.AcceptResponse>;
}

/**
 * Lanes by account: one account's calls never run two at once (the second would only wait
 * behind the first in billing's or dispatch's group for that account), while other accounts'
 * calls go on beside them.
 */
const LANES = 4;
/** As many messages as one request may hold: a coalesced call is never larger than the largest send. */
const MAX_MESSAGES_A_CALL = 1_000;

/**
 * The api's side of the group commit that billing and dispatch run. A paying tenant's OTPs
 * arrive one per request, many at once; while a `Reserve` or `Accept` of an account is in
 * flight, the account's further calls wait and go together in the next one: one gRPC call
 * (one TLS round trip, one handler, one group on the far side) for all of them instead of one
 * each. A lone call goes at once, so nothing waits at low load. Each send still gets exactly
 * the answer it would have had alone: results are split back by position, an Accept carries
 * each send's part and trace (dispatch accepts the parts as the calls they were, see
 * `AcceptRequest.parts`), and a coalesced call that fails is made again send by send, so one
 * send's bad input cannot fail another's (both calls are idempotent by message id).
 */
export function coalescedSendCalls(peers: Pick<Peers, 'billing' | 'dispatch'>): SendCalls {
  const reserve = coalesce<billing.ReserveRequest, billing.ReserveResponse>({
    name: 'api.reserve',
    keyOf: (request) => request.accountId,
    sizeOf: (request) => request.items.length,
    call: (request) => peers.billing.reserve(request),
    merge: (calls) => ({
      accountId: calls[0]!.request.accountId,
      items: calls.flatMap(({ request }) => request.items),
    }),
    split: (response, calls) =>
      sliceByCounts(
        response.results,
        calls.map(({ request }) => request.items.length),
      ).map((results) => ({ results })),
  });
  const accept = coalesce<
    SendAccept & Partial<Pick<dispatch.AcceptRequest, 'parts'>>,
    dispatch.AcceptResponse
  >({
    name: 'api.accept',
    // The ancestors come from a cache that may refresh between two sends: only equal ones merge.
    keyOf: (request) => `${request.accountId}\u0000${request.ancestorAccountIds.join(',')}`,
    sizeOf: (request) => request.messages.length,
    call: (request) => peers.dispatch.accept(request),
    merge: (calls) => ({
      ...calls[0]!.request,
      messages: calls.flatMap(({ request }) => request.messages),
      failures: Object.assign({}, ...calls.map(({ request }) => request.failures)),
      parts: calls.map(({ request, trace }) => ({
        messageCount: request.messages.length,
        traceHeaders: traceHeaders(trace),
      })),
    }),
    split: (response, calls) =>
      sliceByCounts(
        response.results,
        calls.map(({ request }) => request.messages.length),
      ).map((results) => ({
        results,
        ...(response.accountRate && { accountRate: response.accountRate }),
      })),
  });
  return { reserve, accept };
}

interface Waiting<Req> {
  request: Req;
  /** The send's trace context, taken when it asked: a coalesced call runs in the first one's, linked to the rest. */
  trace: ReturnType<typeof activeContext>;
}

function coalesce<Req, Res>(options: {
  name: string;
  keyOf(request: Req): string;
  sizeOf(request: Req): number;
  call(request: Req): Promise<Res>;
  merge(calls: ReadonlyArray<Waiting<Req>>): Req;
  split(response: Res, calls: ReadonlyArray<Waiting<Req>>): Res[];
}): (request: Req) => Promise<Res> {
  const alone = (waiting: Waiting<Req>) =>
    inSpan(options.name, { parent: waiting.trace }, () => options.call(waiting.request));

  async function together(calls: ReadonlyArray<Waiting<Req>>): Promise<Array<Res | Error>> {
    if (calls.length === 1) return [await alone(calls[0]!).catch(asError)];
    try {
      const response = await inSpan(
        options.name,
        {
          parent: calls[0]!.trace,
          attributes: { 'wagate.coalesced_calls': calls.length },
          links: calls.slice(1).map((waiting) => traceHeaders(waiting.trace)),
        },
        () => options.call(options.merge(calls)),
      );
      return options.split(response, calls);
    } catch {
      return Promise.all(calls.map((waiting) => alone(waiting).catch(asError)));
    }
  }

  const group = createGroupCommit<Waiting<Req>, Res>({
    async run(waiting) {
      // A lane may hold several accounts: one call each, side by side.
      const byKey = new Map<string, number[]>();
      waiting.forEach(({ request }, i) => {
        const key = options.keyOf(request);
        const ofKey = byKey.get(key);
        if (ofKey) ofKey.push(i);
        else byKey.set(key, [i]);
      });
      const answers: Array<Res | Error> = new Array(waiting.length);
      await Promise.all(
        [...byKey.values()].map(async (indexes) => {
          const results = await together(indexes.map((i) => waiting[i]!));
          indexes.forEach((i, n) => {
            answers[i] = results[n]!;
          });
        }),
      );
      return answers;
    },
    sizeOf: ({ request }) => options.sizeOf(request),
    maxSize: MAX_MESSAGES_A_CALL,
    concurrency: 1,
    lanes: { count: LANES, keyOf: ({ request }) => options.keyOf(request) },
  });
  return (request) => group.submit({ request, trace: activeContext() });
}

function sliceByCounts<T>(items: readonly T[], counts: readonly number[]): T[][] {
  let offset = 0;
  return counts.map((count) => {
    const slice = items.slice(offset, offset + count);
    offset += count;
    return slice;
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
