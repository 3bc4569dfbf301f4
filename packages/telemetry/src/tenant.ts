import { type Context, context, propagation, trace } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** The span attribute and baggage entry naming the account a request or message belongs to. */
export const ACCOUNT_ID = 'wagate.account_id';

/**
 * Runs `fn` with the account in the context's W3C baggage, and names it on the active span.
 * Baggage travels with the trace context (gRPC metadata, bus and outbox headers), so every
 * span and log line downstream of an authenticated request carries the account, in every
 * service. It is for observing only: no service decides anything from it (the api takes the
 * account from the API key; internal calls carry it in their requests).
 */
export function withAccount<T>(accountId: string, fn: () => T): T {
  trace.getActiveSpan()?.setAttribute(ACCOUNT_ID, accountId);
  return context.with(contextWithAccount(context.active(), accountId), fn);
}

/**
 * `ctx` with the account in its baggage: the parent for work that arrives without the
 * request's baggage (a callback row, a device report) but knows its account.
 */
export function contextWithAccount(ctx: Context, accountId: string): Context {
  const baggage = (propagation.getBaggage(ctx) ?? propagation.createBaggage()).setEntry(ACCOUNT_ID, {
    value: accountId,
  });
  return propagation.setBaggage(ctx, baggage);
}

/**
 * What `withAccount(accountId, traceHeaders)` gives inside `ctx`, for work that finishes
 * outside it (a report written in a batch with others): `ctx`'s trace headers with the
 * account in their baggage, and the account named on `ctx`'s span.
 */
export function traceHeadersWithAccount(ctx: Context, accountId: string): Record<string, string> {
  trace.getSpan(ctx)?.setAttribute(ACCOUNT_ID, accountId);
  const carrier: Record<string, string> = {};
  propagation.inject(contextWithAccount(ctx, accountId), carrier);
  return carrier;
}

/** The account named by the context's baggage, if any. */
export function accountIdOf(ctx: Context = context.active()): string | undefined {
  return propagation.getBaggage(ctx)?.getEntry(ACCOUNT_ID)?.value;
}

/** Names the account (from the baggage of the span's parent context) on every span as it starts. */
export class AccountSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const accountId = accountIdOf(parentContext);
    if (accountId) span.setAttribute(ACCOUNT_ID, accountId);
  }
  onEnd(_span: ReadableSpan): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
