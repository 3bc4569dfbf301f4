import type { DeviceReceipt } from '../../driver.js';
import { normaliseText } from './same-text.js';
import { type OutgoingMessage, reached } from './ticks.js';

export interface TickWatcherOptions {
  /** Pause between rounds; each round opens the chat of every recipient still watched. */
  intervalMs: number;
  /** How long after sending a message its ticks are still looked for. */
  watchForMs: number;
  /** Reads the newest outgoing message of a chat (through the phone's one UI). */
  read(recipient: string): Promise<OutgoingMessage | undefined>;
  emit(receipt: DeviceReceipt): void;
  onError(error: unknown): void;
  /** Messages watched at most; beyond it the oldest are given up. */
  maxWatched?: number;
}

interface Watched {
  messageId: string;
  recipient: string;
  text: string;
  sentAtMs: number;
  delivered: boolean;
}

export interface TickWatcher {
  watch(message: { messageId: string; recipient: string; text: string; sentAtMs: number }): void;
  close(): void;
}

/**
 * Turns the ticks on a chat screen into DELIVERED and READ receipts for messages this phone
 * sent, by opening their chats now and then. A chat shows the ticks of its newest outgoing
 * message best, and WhatsApp ticks a chat's messages in order, so what the newest of ours
 * earned, the ones sent to the same chat before it earned too.
 */
export function createTickWatcher(options: TickWatcherOptions): TickWatcher {
  const maxWatched = options.maxWatched ?? 1_000;
  let watched: Watched[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function schedule(): void {
    if (closed || timer || watched.length === 0) return;
    timer = setTimeout(() => {
      round().finally(() => {
        timer = undefined;
        schedule();
      });
    }, options.intervalMs);
    // Ticks must not keep a process alive that has nothing else to do.
    timer.unref();
  }

  async function round(): Promise<void> {
    const now = Date.now();
    watched = watched.filter((message) => now - message.sentAtMs < options.watchForMs);
    for (const recipient of new Set(watched.map((message) => message.recipient))) {
      if (closed) return;
      try {
        const newest = await options.read(recipient);
        if (newest) apply(recipient, newest);
      } catch (error) {
        options.onError(error);
      }
    }
  }

  function apply(recipient: string, newest: OutgoingMessage): void {
    const mine = watched.filter((message) => message.recipient === recipient);
    const shown = mine.findLastIndex((message) => bubbleShows(newest.text, message.text));
    if (shown < 0) return;
    const atMs = Date.now();
    for (const message of mine.slice(0, shown + 1)) {
      if (reached(newest.status, 'DELIVERED') && !message.delivered) {
        message.delivered = true;
        options.emit({ messageId: message.messageId, kind: 'DELIVERED', atMs });
      }
      if (newest.status === 'READ') {
        options.emit({ messageId: message.messageId, kind: 'READ', atMs });
        watched = watched.filter((other) => other !== message);
      }
    }
  }

  return {
    watch(message) {
      watched.push({ ...message, delivered: false });
      if (watched.length > maxWatched) watched = watched.slice(-maxWatched);
      schedule();
    },
    close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/**
 * Whether a bubble shows this text. WhatsApp cuts a long message short in its bubble ("…",
 * "Read more"), so a long enough beginning counts too.
 */
function bubbleShows(bubble: string, sent: string): boolean {
  const shown = normaliseText(bubble)
    .replace(/(…|\.\.\.)$/u, '')
    .trim();
  const full = normaliseText(sent);
  return shown === full || (shown.length >= 40 && full.startsWith(shown));
}
