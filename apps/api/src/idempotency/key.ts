import { createHash } from 'node:crypto';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * Whether a client's Idempotency-Key is usable: 1..255 printable ASCII characters (space
 * through `~`). UUIDs, ULIDs and most client-made keys fit; control and non-ASCII characters
 * do not survive every HTTP stack unchanged, so a key containing them could never match again.
 */
export function validIdempotencyKey(key: string): boolean {
  return key.length >= 1 && key.length <= MAX_IDEMPOTENCY_KEY_LENGTH && /^[\x20-\x7e]+$/.test(key);
}

/** What `begin` compares a retried request by: SHA-256 (hex) of the raw body bytes as received. */
export function requestBodyHash(rawBody: string | Uint8Array): string {
  return createHash('sha256').update(rawBody).digest('hex');
}
