import { createHash, timingSafeEqual } from 'node:crypto';

/** What configuration keeps of a phone's token: its SHA-256, never the token itself. */
export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Tells which phone presented a bearer token. Every phone has its own token; only hashes
 * are held, and the presented token's hash is compared with every phone's in constant
 * time, so neither a match nor its position leaks through timing.
 */
export class PhoneTokens {
  readonly #phones: Array<{ deviceKey: string; hash: Buffer }>;

  constructor(phones: ReadonlyArray<{ deviceKey: string; tokenSha256: string }>) {
    this.#phones = phones.map((phone) => {
      if (!/^[\da-f]{64}$/i.test(phone.tokenSha256))
        throw new RangeError(`phone ${phone.deviceKey}: tokenSha256 must be 64 hex digits`);
      return { deviceKey: phone.deviceKey, hash: Buffer.from(phone.tokenSha256, 'hex') };
    });
  }

  /** The device key of the phone whose token `authorization` ("Bearer <token>") carries. */
  identify(authorization: string | undefined): string | undefined {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) return undefined;
    const presented = Buffer.from(tokenSha256(token), 'hex');
    let found: string | undefined;
    for (const phone of this.#phones) {
      if (timingSafeEqual(presented, phone.hash) && found === undefined) found = phone.deviceKey;
    }
    return found;
  }
}
