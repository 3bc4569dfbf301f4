import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConfigOf, ConfigError, documented } from '@wagate/config';
import { createLogger } from '@wagate/telemetry';
// One development-only setting marks a machine as a development one: plaintext gRPC and a known key.
import { INSECURE_SETTING, internalPlaneVariables } from '@wagate/rpc';
import { z } from 'zod';

/**
 * Envelope encryption of secrets at rest (webhook signing secrets). Each secret is encrypted
 * with its own random data key (AES-256-GCM), and the data key is encrypted ("wrapped") with a
 * key-encryption key from configuration, whose id is stored beside the ciphertext. Rotating the
 * key-encryption key re-wraps 32-byte data keys, never the secrets themselves, and a row under
 * an older key still opens while that key is configured.
 */

/** The variable holding the key-encryption keys, newest first: `id:<base64 of 32 bytes>,…`. */
export const SECRET_KEYS_VARIABLE = 'WAGATE_SECRET_KEYS';

/** What `readSecretKeys` reads. */
export const secretKeyVariables = {
  [SECRET_KEYS_VARIABLE]: documented(
    z
      .string()
      .optional()
      .transform((value) => value?.trim() || undefined),
    {
      description:
        'The key-encryption keys that seal webhook signing secrets at rest, newest first (make one with `openssl rand -base64 32`; docs/security.md). Required unless WAGATE_INSECURE_PLAINTEXT_LOOPBACK is on.',
      accepts: '<id>:<base64 of 32 bytes>[,<id>:<base64>…]',
    },
  ),
  [INSECURE_SETTING]: internalPlaneVariables[INSECURE_SETTING],
};

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface SecretKeyRing {
  /** The key new secrets are sealed with (the first configured). */
  readonly currentId: string;
  /** Every configured key by id: the current one and older ones still opening old rows. */
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** A secret as stored: which key wrapped its data key, the wrapped data key, the ciphertext. */
export interface SealedSecret {
  keyId: string;
  wrappedKey: string;
  ciphertext: string;
}

/** A sealed secret that cannot be opened: its key is not configured, or the key is wrong. */
export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

/** Parses `id:<base64 key>,id:<base64 key>` (newest first); every fault names the variable. */
export function parseSecretKeys(value: string, variable = SECRET_KEYS_VARIABLE): SecretKeyRing {
  const keys = new Map<string, Buffer>();
  for (const entry of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator);
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (separator < 1 || !KEY_ID.test(id)) {
      throw new ConfigError(
        `${variable}: each entry is <id>:<base64 key> with an id of letters, digits, . _ -`,
      );
    }
    if (key.length !== KEY_BYTES) {
      throw new ConfigError(
        `${variable}: key "${id}" is ${key.length} bytes; it must be ${KEY_BYTES} (make one with \`openssl rand -base64 32\`)`,
      );
    }
    if (keys.has(id)) throw new ConfigError(`${variable}: key id "${id}" is given twice`);
    keys.set(id, key);
  }
  const [currentId] = keys.keys();
  if (currentId === undefined) throw new ConfigError(`${variable} holds no key`);
  return { currentId, keys };
}

/** A ring with one new random key, as `parseSecretKeys` reads it back. */
export function generateSecretKeys(id = `k${Date.now()}`): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * The production services' keys: `WAGATE_SECRET_KEYS`. Without it a service refuses to start,
 * unless the development setting is on: then a fixed, publicly known development key is used
 * (and a warning logged), so secrets are sealed but not protected, and a restart still opens them.
 */
export function readSecretKeys(config: ConfigOf<typeof secretKeyVariables>): SecretKeyRing {
  const configured = config[SECRET_KEYS_VARIABLE];
  if (configured) return parseSecretKeys(configured);
  if (!config[INSECURE_SETTING]) {
    throw new ConfigError(
      `${SECRET_KEYS_VARIABLE} is required: the key-encryption keys that seal webhook signing secrets at rest, ` +
        `newest first, as <id>:<base64 of 32 bytes> (e.g. "k1:$(openssl rand -base64 32)"); see docs/security.md. ` +
        `Only on a development machine, ${INSECURE_SETTING}=true uses a publicly known key instead.`,
    );
  }
  createLogger('dispatch:secret-keys').warn(
    `${SECRET_KEYS_VARIABLE} is not set and ${INSECURE_SETTING} is: webhook secrets are sealed with a ` +
      'publicly known development key — never do this with real tenants',
  );
  return {
    currentId: 'insecure-development',
    keys: new Map([['insecure-development', Buffer.alloc(KEY_BYTES, 0x5a)]]),
  };
}

/**
 * The embedded gateway's keys (`npm start` needs no configuration): `secret-keys` in the data
 * directory, made on first start (mode 0600) and read back on every later one. Without a data
 * directory (tests on an in-memory or throw-away database) a fresh key lives in memory.
 */
export function embeddedSecretKeys(dataDir: string | undefined): SecretKeyRing {
  if (!dataDir) return parseSecretKeys(generateSecretKeys('embedded'));
  const file = join(dataDir, 'secret-keys');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    mkdirSync(dataDir, { recursive: true });
    text = `${generateSecretKeys('embedded')}\n`;
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return parseSecretKeys(text.trim(), file);
}

/** Seals `secret` under the ring's current key; `context` (e.g. the account) must match to open it. */
export function sealSecret(ring: SecretKeyRing, secret: string, context: string): SealedSecret {
  const dataKey = randomBytes(KEY_BYTES);
  return {
    ...wrapDataKey(ring, dataKey),
    ciphertext: encrypt(dataKey, Buffer.from(secret, 'utf8'), `wagate:secret:${context}`),
  };
}

/** Opens a sealed secret; a missing or wrong key, or a row moved to another context, throws SecretKeyError. */
export function openSecret(ring: SecretKeyRing, sealed: SealedSecret, context: string): string {
  const dataKey = unwrapDataKey(ring, sealed);
  try {
    return decrypt(dataKey, sealed.ciphertext, `wagate:secret:${context}`).toString('utf8');
  } catch {
    throw new SecretKeyError(`the secret of ${context} does not open: its ciphertext was altered or moved`);
  }
}

/** The same secret with its data key wrapped by the current key (the ciphertext is unchanged). */
export function rewrapSecret(ring: SecretKeyRing, sealed: SealedSecret): SealedSecret {
  return { ...wrapDataKey(ring, unwrapDataKey(ring, sealed)), ciphertext: sealed.ciphertext };
}

function wrapDataKey(ring: SecretKeyRing, dataKey: Buffer): Omit<SealedSecret, 'ciphertext'> {
  const keyId = ring.currentId;
  return { keyId, wrappedKey: encrypt(ring.keys.get(keyId)!, dataKey, `wagate:data-key:${keyId}`) };
}

function unwrapDataKey(ring: SecretKeyRing, sealed: SealedSecret): Buffer {
  const key = ring.keys.get(sealed.keyId);
  if (!key) {
    throw new SecretKeyError(
      `a secret is sealed with key "${sealed.keyId}", which ${SECRET_KEYS_VARIABLE} does not hold ` +
        `(it holds ${[...ring.keys.keys()].join(', ')}): keep a retired key until every row is rewrapped`,
    );
  }
  try {
    return decrypt(key, sealed.wrappedKey, `wagate:data-key:${sealed.keyId}`);
  } catch {
    throw new SecretKeyError(
      `key "${sealed.keyId}" in ${SECRET_KEYS_VARIABLE} does not open the secrets sealed with it: it is not the key they were sealed with`,
    );
  }
}

/** AES-256-GCM; the result is base64 of iv | tag | ciphertext. */
function encrypt(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

function decrypt(key: Buffer, sealed: string, aad: string): Buffer {
  const bytes = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}
