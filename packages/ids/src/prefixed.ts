import { randomBytes } from 'node:crypto';

/** Prefixes for resource ids other than messages, so an id says what it names. */
export const idPrefix = {
  account: 'acc',
  apiKey: 'key',
  device: 'dev',
  agent: 'agt',
  enrolmentToken: 'enr',
  sender: 'snd',
  job: 'job',
  template: 'tpl',
  webhook: 'whk',
  vmCommand: 'cmd',
  rollout: 'rol',
  agentStream: 'stm',
} as const;

/** A time-sortable id such as `dev_01jz3k...`: 48-bit ms timestamp then 80 random bits, base32. */
export function prefixedId(kind: keyof typeof idPrefix, now = Date.now()): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(now, 0, 6);
  takeRandom(10).copy(bytes, 6);
  return `${idPrefix[kind]}_${crockfordBase32(bytes)}`;
}

/**
 * Random bytes from a pool filled 4 KiB at a time: one `randomBytes` call per id costs far
 * more than the id (fleet makes one per queued job). The bytes are used once each, as before.
 */
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomOffset = 0;
function takeRandom(count: number): Buffer {
  if (randomOffset + count > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomOffset = 0;
  }
  randomOffset += count;
  return randomPool.subarray(randomOffset - count, randomOffset);
}

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
function crockfordBase32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
