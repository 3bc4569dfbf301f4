import { createHash, randomBytes } from 'node:crypto';

/** API keys look like `wag_<32 base64url chars>`; only their SHA-256 is ever stored. */
export function generateApiKey(): string {
  return `wag_${randomBytes(24).toString('base64url')}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** `wag_` and four characters: enough to tell keys apart, far too little to guess one. */
export function keyPrefix(key: string): string {
  return key.slice(0, 8);
}

export const keyScopes = ['send', 'read', 'manage'] as const;
