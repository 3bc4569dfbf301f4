import type { RequestErrorKey } from '@wagate/errors';

/**
 * Keys the api adds to the shared catalogue (`@wagate/errors`): idempotency. They travel in the
 * same `reasons[].key` field.
 */
export const ApiErrorKey = {
  IdempotencyConflict: 'idempotency.conflict',
  IdempotencyInProgress: 'idempotency.in.progress',
} as const;

export type ErrorKey = RequestErrorKey | (typeof ApiErrorKey)[keyof typeof ApiErrorKey];

export interface CatalogueEntry {
  key: ErrorKey;
  /** `message` when it comes back in a send result; otherwise the HTTP status of the whole request. */
  where: 'message' | 400 | 401 | 403 | 404 | 409 | 413 | 415 | 500 | 503;
  refs: string[];
  meaning: string;
}

/**
 * Every request-time error the HTTP API answers with, in one place: the contract's rows (for a
 * message: `reasons[].ref` is `messages[i].<field>`), then wagate's own request-level keys.
 * The OpenAPI document prints this table; tests hold each row to it.
 */
export const errorCatalogue: CatalogueEntry[] = [
  {
    key: 'billing.error',
    where: 'message',
    refs: [],
    meaning: 'payment is required: the account cannot pay for this message',
  },
  {
    key: 'forbidden',
    where: 403,
    refs: [],
    meaning: 'sending is forbidden: the API key lacks the scope the route needs (`send`, `read` or `manage`)',
  },
  {
    key: 'forbidden',
    where: 'message',
    refs: [],
    meaning:
      'sending is forbidden: the account, or an account above it, was suspended while the request ran (wagate)',
  },
  {
    key: 'quota.exceeded',
    where: 'message',
    refs: [],
    meaning:
      'the daily or monthly message quota of the account, or of an account above it, is used up (UTC day / month; wagate)',
  },
  {
    key: 'billing.error',
    where: 409,
    refs: [],
    meaning:
      'a credit transfer larger than the paying account has available (balance less held funds; wagate)',
  },
  {
    key: 'conflict',
    where: 409,
    refs: [],
    meaning:
      "the resource's state does not allow the change: a closed account, a child still open, a revoked key (wagate)",
  },
  {
    key: 'unknown',
    where: 500,
    refs: [],
    meaning: 'unknown error; the request may be retried (with the same Idempotency-Key)',
  },
  { key: 'invalid', where: 'message', refs: ['messages[i].to'], meaning: 'wrong phone number' },
  { key: 'invalid', where: 'message', refs: ['messages[i].validity'], meaning: 'wrong validity' },
  { key: 'invalid', where: 'message', refs: ['messages[i].callbackUrl'], meaning: 'wrong URL' },
  { key: 'invalid', where: 'message', refs: ['messages[i].contentUrl'], meaning: 'wrong content URL' },
  { key: 'invalid', where: 'message', refs: ['messages[i].contentType'], meaning: 'wrong content type' },
  { key: 'invalid', where: 'message', refs: ['messages[i].from'], meaning: 'wrong sender' },
  { key: 'invalid', where: 'message', refs: ['messages[i].languageCode'], meaning: 'wrong language code' },
  {
    key: 'invalid',
    where: 'message',
    refs: [
      'messages[i].text',
      'messages[i].contentName',
      'messages[i].callbackData',
      'messages[i].templateId',
      'messages[i].templateParams',
      'messages[i]',
    ],
    meaning: 'wrong value of another field, or a message that is not a JSON object (wagate)',
  },
  { key: 'length.too.long', where: 'message', refs: ['messages[i].to'], meaning: 'phone number too long' },
  { key: 'length.too.long', where: 'message', refs: ['messages[i].text'], meaning: 'text too long' },
  {
    key: 'length.too.long',
    where: 'message',
    refs: ['messages[i].languageCode'],
    meaning: 'language code too long',
  },
  {
    key: 'length.too.long',
    where: 'message',
    refs: ['messages[i].contentName'],
    meaning: 'content name too long (wagate)',
  },
  {
    key: 'length.too.short',
    where: 'message',
    refs: ['messages[i].contentName'],
    meaning: 'content name too short',
  },
  {
    key: 'length.too.short',
    where: 'message',
    refs: ['messages[i].languageCode'],
    meaning: 'language code too short',
  },
  { key: 'must.be.not.null', where: 'message', refs: ['messages[i].to'], meaning: 'recipient missing' },
  {
    key: 'must.be.not.null',
    where: 400,
    refs: ['messages'],
    meaning: 'the messages array is missing or empty',
  },
  { key: 'must.be.not.null', where: 'message', refs: ['messages[i].from'], meaning: 'sender missing' },
  {
    key: 'must.be.not.null',
    where: 'message',
    refs: ['messages[i]'],
    meaning: 'neither text, content nor template given (or the message is null)',
  },
  {
    key: 'not.available',
    where: 'message',
    refs: ['messages[i].from'],
    meaning: 'the sender is not available to this account',
  },
  { key: 'too.many.messages', where: 400, refs: ['messages'], meaning: 'the messages array is too large' },
  {
    key: 'invalid',
    where: 400,
    refs: ['', 'Idempotency-Key', '<query or body field>'],
    meaning: 'the body, a query parameter or a header is not what the route takes',
  },
  { key: 'malformed.json', where: 400, refs: [], meaning: 'the body is not valid JSON (wagate)' },
  { key: 'unauthorized', where: 401, refs: [], meaning: 'no API key, or an unknown or revoked one (wagate)' },
  {
    key: 'not.found',
    where: 404,
    refs: ['<path parameter>'],
    meaning: 'no such route, or no such resource in this account (wagate)',
  },
  {
    key: 'idempotency.conflict',
    where: 409,
    refs: ['Idempotency-Key'],
    meaning: 'the Idempotency-Key was used with a different body (wagate)',
  },
  {
    key: 'idempotency.in.progress',
    where: 409,
    refs: ['Idempotency-Key'],
    meaning: 'a request with this Idempotency-Key is still being processed; retry shortly (wagate)',
  },
  { key: 'payload.too.large', where: 413, refs: [], meaning: 'the body is larger than the limit (wagate)' },
  {
    key: 'unsupported.media.type',
    where: 415,
    refs: [],
    meaning: 'the body is not sent as application/json (wagate)',
  },
  {
    key: 'service.unavailable',
    where: 503,
    refs: [],
    meaning: 'a service the request needs is briefly unavailable; retry after Retry-After (wagate)',
  },
];

export const errorKeys: ErrorKey[] = [...new Set(errorCatalogue.map((entry) => entry.key))];

/** The catalogue as a Markdown table, for the OpenAPI document. */
export function catalogueTable(): string {
  const rows = errorCatalogue.map(
    (entry) =>
      `| \`${entry.key}\` | ${entry.refs.map((ref) => (ref ? `\`${ref}\`` : '—')).join(', ') || '—'} | ${entry.where === 'message' ? 'per message (200)' : entry.where} | ${entry.meaning} |`,
  );
  return ['| key | ref | where | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
