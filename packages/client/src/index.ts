import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import { type RetryOptions, retryingFetch } from './retrying-fetch.js';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';
export { type ErrorReason, unwrap, WagateApiError } from './errors.js';
export { type Page, paginate } from './paginate.js';
export type { RetryOptions } from './retrying-fetch.js';
export {
  type IncomingMessage,
  parseIncomingMessage,
  parseStatusCallbacks,
  signWebhook,
  type StatusCallback,
  verifyWebhook,
  type WebhookHeaders,
} from './webhooks.js';

type Schemas = components['schemas'];
export type SendRequest = Schemas['SendRequest'];
export type DevinoMessage = Schemas['DevinoMessage'];
export type SendResponse = Schemas['SendResponse'];
export type MessageResult = Schemas['MessageResult'];
export type ApiErrorBody = Schemas['Error'];
export type Message = Schemas['Message'];
export type MessageSummary = Schemas['MessageSummary'];
export type Sender = Schemas['Sender'];
export type WebhookSettings = Schemas['WebhookSettings'];
export type Balance = Schemas['Balance'];

export type WagateClient = Client<paths>;

export type WagateClientOptions = Omit<ClientOptions, 'baseUrl'> & RetryOptions;

/**
 * A typed client for the wagate HTTP API, from its OpenAPI document, on openapi-fetch:
 * `client.POST('/whatsapp/messages', { body })` answers `{ data, error, response }`, `data`
 * typed by the route's 2xx schema and `error` by its error schema (`unwrap` turns an error into
 * a thrown `WagateApiError`). Every request carries `Authorization: Key <apiKey>`; send calls
 * get a generated `Idempotency-Key` unless given one, and retryable failures are retried
 * (`retries`, default 3; see `retryingFetch`).
 */
export function createWagateClient(
  baseUrl: string,
  apiKey: string,
  options: WagateClientOptions = {},
): WagateClient {
  const { retries, retryDelayMs, fetch: baseFetch, ...clientOptions } = options;
  return createClient<paths>({
    ...clientOptions,
    baseUrl,
    fetch: retryingFetch(baseFetch ?? ((request) => globalThis.fetch(request)), {
      ...(retries !== undefined && { retries }),
      ...(retryDelayMs !== undefined && { retryDelayMs }),
    }),
    headers: {
      ...(clientOptions.headers as Record<string, string> | undefined),
      authorization: `Key ${apiKey}`,
    },
  });
}

/** The header a console session's unsafe requests carry (the api refuses them without it). */
export const CONSOLE_HEADER = 'x-wagate-console';

/**
 * The same typed client for a page served by the api itself (the console): no key, the
 * session cookie goes along (same origin), and every request carries the console header
 * the api asks of a session's unsafe requests. Sign in first with `POST /v1/session` and a key.
 */
export function createSessionClient(baseUrl = '', options: Omit<ClientOptions, 'baseUrl'> = {}): WagateClient {
  return createClient<paths>({
    credentials: 'same-origin',
    ...options,
    baseUrl,
    headers: { ...(options.headers as Record<string, string> | undefined), [CONSOLE_HEADER]: '1' },
  });
}
