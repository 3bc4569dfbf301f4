import { type ApiErrorBody, type components, createSessionClient, type paths } from '@wagate/client';

/** The console's only way to the server: the generated client over the session cookie. */
export const api = createSessionClient(window.location.origin);

/** An API refusal, kept whole so a form can show each reason next to its field. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | undefined,
  ) {
    super(body?.description ?? `the server answered ${status}`);
  }
}

/** The data of a successful call; any other answer throws ApiFailure. */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw new ApiFailure(response.status, error as ApiErrorBody | undefined);
  return data as T;
}

/** The API's words about one field (its `ref`, or a path ending in it), if it named that field. */
export function fieldError(error: unknown, ref: string): string | undefined {
  if (!(error instanceof ApiFailure)) return undefined;
  const named = error.body?.reasons.some(
    (reason) => reason.ref === ref || reason.ref?.endsWith(`.${ref}`) || reason.ref?.endsWith(`]${ref}`),
  );
  return named ? error.body?.description : undefined;
}

/** The API's words about a failure no field is named for. */
export function formError(error: unknown, fields: string[]): string | undefined {
  if (!error) return undefined;
  if (error instanceof ApiFailure && fields.some((field) => fieldError(error, field))) return undefined;
  return error instanceof Error ? error.message : String(error);
}

export const money = (minor: number | null | undefined, currency = 'RUB') =>
  minor === null || minor === undefined ? '—' : `${(minor / 100).toFixed(2)} ${currency}`;

/** A time from the API (ISO 8601, or ms since the epoch) in the reader's locale. */
export const when = (time: string | number | null | undefined) =>
  time === null || time === undefined || time === '' ? '—' : new Date(time).toLocaleString();

export const today = () => new Date().toISOString().slice(0, 10);

export type UsageRows = Exclude<components['schemas']['Usage'], string>;

/** Usage as JSON (the route also answers CSV, which the page offers as a download link). */
export const usageJson = (query: NonNullable<paths['/v1/usage']['get']['parameters']['query']>) =>
  call(api.GET('/v1/usage', { params: { query } })) as Promise<UsageRows>;
