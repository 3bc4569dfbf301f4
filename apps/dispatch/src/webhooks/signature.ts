import { randomBytes } from 'node:crypto';
import { signWebhook } from '@wagate/client';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature` is
 * `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`, keyed with the
 * base64-decoded part of a `whsec_…` secret. During a rotation one signature per live secret
 * is sent, space-separated, so a receiver holding either secret verifies. Signing and
 * verifying live in the tenants' SDK (`@wagate/client`), so wagate signs exactly what the SDK
 * checks.
 */
export { signWebhook, verifyWebhook } from '@wagate/client';

const SECRET_PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
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
