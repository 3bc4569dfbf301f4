import { createHash } from 'node:crypto';
import type { NotifiedMessage } from './notification-parser.js';

export interface InboundMemoryOptions {
  /**
   * A message seen again within this long of its last sighting is a repeat: WhatsApp
   * re-posts a chat's notification (and an inbox-style one lists older lines again) with
   * every new message, and automation apps fire on each update. Default 15 minutes.
   */
  repeatWindowMs?: number;
  /** Posted times are rounded down to this, so the key survives an agent restart. Default 1 minute. */
  bucketMs?: number;
}

/**
 * Gives each notified message a stable device message key — a hash of the phone, the sender,
 * the text and the posted time rounded to a bucket — and recognises repeats: a message
 * seen again keeps the key of its first sighting, so a repeat across a bucket boundary is
 * still one message. The fleet deduplicates by that key too, after an agent restart.
 * Two identical texts from the same sender within the window are taken for one.
 */
export class InboundMemory {
  readonly #seen = new Map<string, { key: string; lastSeenMs: number }>();
  readonly #repeatWindowMs: number;
  readonly #bucketMs: number;

  constructor(
    private readonly deviceKey: string,
    options: InboundMemoryOptions = {},
  ) {
    this.#repeatWindowMs = options.repeatWindowMs ?? 15 * 60_000;
    this.#bucketMs = options.bucketMs ?? 60_000;
  }

  /** The message's key if it is new, undefined if it is a repeat. */
  admit(message: NotifiedMessage, postedAtMs: number, nowMs = Date.now()): string | undefined {
    this.#forget(nowMs);
    const identity = [message.group ?? '', message.sender, message.text].join('\n');
    const seen = this.#seen.get(identity);
    if (seen) {
      seen.lastSeenMs = nowMs;
      return undefined;
    }
    const bucket = Math.floor(postedAtMs / this.#bucketMs);
    const key = `auto:${createHash('sha256').update(`${this.deviceKey}\n${identity}\n${bucket}`).digest('hex').slice(0, 32)}`;
    this.#seen.set(identity, { key, lastSeenMs: nowMs });
    return key;
  }

  #forget(nowMs: number): void {
    for (const [identity, seen] of this.#seen) {
      if (nowMs - seen.lastSeenMs > this.#repeatWindowMs) this.#seen.delete(identity);
    }
  }
}
