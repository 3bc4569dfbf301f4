import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com), as wagate signs its
 * callbacks: `webhook-signature` is `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`,
 * keyed with the base64-decoded part of a `whsec_…` secret; during a secret rotation one
 * signature per live secret, space-separated.
 */
const SECRET_PREFIX = 'whsec_';
/** How far a delivery's timestamp may be from the receiver's clock before it is refused (replays). */
const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** The `v1,<signature>` of one delivery by one secret. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  return `v1,${hmac(secret, `${id}.${timestampSeconds}.${body}`).toString('base64')}`;
}

/**
 * True when `body` — the raw text exactly as received, before any JSON parsing — carries a valid
 * signature by `secret` (`whsec_…`, from `GET /v1/webhooks/secret`) and a timestamp within
 * `toleranceSeconds` (default 300) of now.
 */
export function verifyWebhook(
  secret: string,
  headers: WebhookHeaders,
  body: string,
  options: { toleranceSeconds?: number; nowMs?: number } = {},
): boolean {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures || !/^\d+$/.test(timestamp)) return false;
  const skew = Math.abs((options.nowMs ?? Date.now()) / 1000 - Number(timestamp));
  if (skew > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  let expected: Buffer;
  try {
    expected = hmac(secret, `${id}.${timestamp}.${body}`);
  } catch {
    return false;
  }
  return signatures.split(' ').some((candidate) => {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) return false;
    const given = Buffer.from(value, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

function hmac(secret: string, payload: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('a webhook secret starts with whsec_');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  return createHmac('sha256', key).update(payload, 'utf8').digest();
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** One status callback of a message (the contract's shape), with its id as the exact decimal string. */
export interface StatusCallback {
  messageId: string;
  ts: number;
  status: 'SENT' | 'DELIVERED' | 'READ' | 'FAILED' | (string & {});
  errorCode: number;
  ip: string;
  browser: string;
  os: string;
  userAgent: string;
  /** The message's `callbackData`. */
  options: string;
}

/** An incoming message (the contract's shape), with its id as the exact decimal string. */
export interface IncomingMessage {
  incomingMessageId: string;
  to: string;
  from: string;
  ts: number;
  text: string;
  profileName: string;
}

/**
 * The ids in a callback body are JSON numbers (as the contract has them). Ids wagate issues fit a
 * double, but older ids and other Devino-compatible senders may not: these parsers read the
 * digits as written, so an id is always exact, as a string (compare it with the send call's).
 */
const ID_NUMBER = /"(messageId|incomingMessageId)"(\s*):(\s*)(-?\d+)/g;

function parseKeepingIds(body: string): unknown {
  // A key followed by an unescaped quote cannot occur inside a JSON string, so only real ids match.
  return JSON.parse(body.replace(ID_NUMBER, '"$1"$2:$3"$4"'));
}

/** A status callback body (a JSON array, one status per POST today) → its statuses, ids exact. */
export function parseStatusCallbacks(body: string): StatusCallback[] {
  const parsed = parseKeepingIds(body);
  if (!Array.isArray(parsed)) throw new TypeError('a status callback body is a JSON array');
  return parsed as StatusCallback[];
}

/** An incoming-message body (one JSON object) → the message, id exact. */
export function parseIncomingMessage(body: string): IncomingMessage {
  const parsed = parseKeepingIds(body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError('an incoming-message body is a JSON object');
  }
  return parsed as IncomingMessage;
}
