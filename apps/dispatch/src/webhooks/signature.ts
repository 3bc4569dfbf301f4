import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` is
 * `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, keyed with the
 * base64-decoded part of a `whsec_…` secret. During a rotation one signature per live secret
 * is sent, space-separated, so a receiver holding either secret verifies.
 */
const SECRET_PREFIX = 'whsec_';
/** How far a delivery's timestamp may be from the receiver's clock before it is refused (replays). */
const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  return `v1,${hmac(secret, `${id}.${timestampSeconds}.${body}`).toString('base64')}`;
}

/** The three Standard Webhooks headers for one delivery attempt, signed by every given secret. */
export function webhookHeaders(
  secrets: readonly string[],
  id: string,
  body: string,
  nowMs: number = Date.now(),
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((secret) => signWebhook(secret, id, timestamp, body)).join(' '),
  };
}

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

/**
 * For receivers: true when `body` (the raw text, exactly as received) carries a valid signature
 * by `secret` and a timestamp within the tolerance of now.
 */
export function verifyWebhook(
  secret: string,
  headers: HeaderSource,
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

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
