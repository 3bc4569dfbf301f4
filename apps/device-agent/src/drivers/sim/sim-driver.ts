import { randomUUID } from 'node:crypto';
import { fleet } from '@wagate/contracts';
import { describeStatusError, StatusErrorCode } from '@wagate/errors';
import type {
  DeviceDriver,
  DeviceHealth,
  DeviceInbound,
  DeviceInfo,
  DeviceReceipt,
  InboundExtras,
  SendJob,
  SendOutcome,
} from '../../driver.js';
import { Listeners } from '../listeners.js';
import { SerialQueue } from '../serial-queue.js';
import { createPrng } from './prng.js';

export interface DelayRange {
  min: number;
  max: number;
}

export interface SimDriverOptions {
  /** Same seed, same sequence of sends → same delays and outcomes. */
  seed?: number;
  phoneNumber?: string;
  /** Defaults to `sim-<phoneNumber>`. */
  deviceKey?: string;
  /** Time the phone's UI takes per send; a real phone needs ~5 s for a new contact. */
  sendDelayMs?: DelayRange;
  /** From sent to the DELIVERED tick. */
  deliveredAfterMs?: DelayRange;
  /** From DELIVERED to the READ tick. */
  readAfterMs?: DelayRange;
  /** Chance that a delivered message is read at all. */
  readProbability?: number;
  /**
   * Recipients without WhatsApp: a predicate, or numbers/suffixes a recipient ends with.
   * Default: numbers ending in `0000`.
   */
  notOnWhatsApp?: ((recipient: string) => boolean) | readonly string[];
}

export interface SimDriver extends DeviceDriver {
  /** Simulates someone writing to this phone: a text, with a file, a location or contact cards. */
  inbound(from: string, text: string, profileName?: string, extras?: InboundExtras): void;
}

/** Everything one send will do, drawn up front so timing never changes what is drawn. */
interface SendPlan {
  sendDelayMs: number;
  deliveredAfterMs: number;
  readAfterMs: number;
  read: boolean;
}

/** A simulated WhatsApp phone: repeatable from its seed, one send at a time, ticks via timers. */
export function createSimDriver(options: SimDriverOptions = {}): SimDriver {
  const phoneNumber = options.phoneNumber ?? '79990000001';
  const info: DeviceInfo = {
    deviceKey: options.deviceKey ?? `sim-${phoneNumber}`,
    phoneNumber,
    androidVersion: '14',
    whatsappVersion: '2.25.1.75',
    driver: 'sim',
  };
  const prng = createPrng(options.seed ?? 1);
  const sendDelayMs = options.sendDelayMs ?? { min: 50, max: 150 };
  const deliveredAfterMs = options.deliveredAfterMs ?? { min: 100, max: 400 };
  const readAfterMs = options.readAfterMs ?? { min: 200, max: 1_000 };
  const readProbability = options.readProbability ?? 1;
  const isNotOnWhatsApp = notOnWhatsAppMatcher(options.notOnWhatsApp ?? ['0000']);

  const receipts = new Listeners<DeviceReceipt>();
  const inbounds = new Listeners<DeviceInbound>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  // The phone is one UI: each send waits for the one before it.
  const queue = new SerialQueue();

  /** Ticks must not keep a process alive that has nothing else to do. */
  function later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    timers.add(timer);
  }

  function plan(): SendPlan {
    return {
      sendDelayMs: prng.between(sendDelayMs),
      deliveredAfterMs: prng.between(deliveredAfterMs),
      readAfterMs: prng.between(readAfterMs),
      read: prng.next() < readProbability,
    };
  }

  async function sendNow(job: SendJob): Promise<SendOutcome> {
    if (closed) throw new Error(`sim device ${info.deviceKey} is closed`);
    const steps = plan();
    // The send delay is not unref'd: a send in progress is work the process must finish.
    await new Promise((resolve) => setTimeout(resolve, steps.sendDelayMs));
    if (isNotOnWhatsApp(job.recipient)) {
      const errorCode = StatusErrorCode.NotOnWhatsApp;
      return { sent: false, errorCode, reason: describeStatusError(errorCode) };
    }
    const atMs = Date.now();
    later(steps.deliveredAfterMs, () => {
      receipts.emit({ messageId: job.messageId, kind: 'DELIVERED', atMs: Date.now() });
      if (steps.read) {
        later(steps.readAfterMs, () =>
          receipts.emit({ messageId: job.messageId, kind: 'READ', atMs: Date.now() }),
        );
      }
    });
    return { sent: true, atMs };
  }

  return {
    info,
    send: (job) => queue.run(() => sendNow(job)),
    async heartbeat(): Promise<DeviceHealth> {
      return {
        batteryPercent: 100,
        screenOn: true,
        storageFreeBytes: String(32 * 1024 ** 3),
        networkUp: true,
        whatsappState: fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_IN,
      };
    },
    onReceipt: (listener) => receipts.add(listener),
    onInbound: (listener) => inbounds.add(listener),
    inbound(from, text, profileName = '', extras = {}) {
      inbounds.emit({
        // Random rather than a counter: a restarted agent must not reuse a key the fleet
        // has already seen, or it would take a new message for a repeat.
        deviceMessageKey: `${info.deviceKey}:${randomUUID()}`,
        from,
        text,
        profileName,
        atMs: Date.now(),
        ...extras,
      });
    },
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await queue.idle();
    },
  };
}

function notOnWhatsAppMatcher(
  rule: ((recipient: string) => boolean) | readonly string[],
): (recipient: string) => boolean {
  if (typeof rule === 'function') return rule;
  // A full number is its own suffix, so one list serves both.
  return (recipient) => rule.some((suffix) => recipient.endsWith(suffix));
}
