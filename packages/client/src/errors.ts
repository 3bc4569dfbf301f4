/** One reason of a refusal, in the contract's words: the error key and the field it is about. */
export interface ErrorReason {
  key: string;
  ref?: string;
}

/**
 * A request wagate refused as a whole (a 4xx or 5xx answer): the contract's body
 * `{"code":"REJECTED","reasons":[{"key","ref"}],"description"}`, with the first reason's `key`
 * and `ref` at hand (`unauthorized`, `forbidden`, `not.found`, `idempotency.conflict`, …).
 */
export class WagateApiError extends Error {
  override readonly name = 'WagateApiError';
  readonly status: number;
  readonly key: string;
  readonly ref: string | undefined;
  readonly reasons: ErrorReason[];
  readonly description: string;

  constructor(status: number, body: unknown) {
    const parsed = readErrorBody(body);
    super(`${status} ${parsed.reasons[0]?.key ?? 'error'}: ${parsed.description}`);
    this.status = status;
    this.reasons = parsed.reasons;
    this.key = parsed.reasons[0]?.key ?? 'unknown';
    this.ref = parsed.reasons[0]?.ref;
    this.description = parsed.description;
  }
}

function readErrorBody(body: unknown): { reasons: ErrorReason[]; description: string } {
  if (typeof body === 'object' && body !== null && Array.isArray((body as { reasons?: unknown }).reasons)) {
    const { reasons, description } = body as { reasons: ErrorReason[]; description?: unknown };
    return { reasons, description: typeof description === 'string' ? description : '' };
  }
  return { reasons: [], description: typeof body === 'string' ? body : 'the server answered an error' };
}

/**
 * The data of a typed call, or its error thrown as a `WagateApiError`:
 * `const { result } = await unwrap(client.POST('/whatsapp/messages', { body }))`.
 */
export async function unwrap<T extends { data?: unknown; error?: unknown; response: Response }>(
  call: Promise<T> | T,
): Promise<NonNullable<T['data']>> {
  const { data, error, response } = await call;
  if (!response.ok) throw new WagateApiError(response.status, error);
  return data as NonNullable<T['data']>;
}
