import { randomUUID } from 'node:crypto';
import { existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { fleet } from '@wagate/contracts';
import { describeStatusError, StatusErrorCode } from '@wagate/errors';
import type {
  DeviceDriver,
  DeviceHealth,
  DeviceInbound,
  DeviceInfo,
  DeviceReceipt,
  InboundExtras,
  PhoneRecord,
  SendJob,
  SendOutcome,
} from '../../driver.js';
import { Listeners } from '../listeners.js';
import { SerialQueue } from '../serial-queue.js';
import { type Delay, drawDelay, hashShare } from './delays.js';
import { createNetwork, type DisconnectOptions } from './network.js';
import { createPrng, deriveSeed } from './prng.js';
import { createSimVm, type SimVm, type SimVmOptions } from './sim-vm.js';

export type { Delay, DelayRange, LogNormalDelay } from './delays.js';
export type { DisconnectOptions } from './network.js';
export type { SimVm, SimVmOptions } from './sim-vm.js';

export interface SimDriverOptions {
  /** Same seed, same sequence of sends → same delays and outcomes. */
  seed?: number;
  phoneNumber?: string;
  /** Defaults to `sim-<phoneNumber>`. */
  deviceKey?: string;
  /** Time the phone's UI takes to send to a contact it has written to before. */
  sendDelayMs?: Delay;
  /**
   * The same for a new contact (WhatsApp first looks the number up; a real phone needs ~5 s).
   * Default: `sendDelayMs`.
   */
  newContactSendDelayMs?: Delay;
  /** From sent to the DELIVERED tick. */
  deliveredAfterMs?: Delay;
  /** From DELIVERED to the READ tick. */
  readAfterMs?: Delay;
  /** Chance that a delivered message is read at all. */
  readProbability?: number;
  /**
   * Recipients without WhatsApp: a predicate, or numbers/suffixes a recipient ends with.
   * Default: numbers ending in `0000`.
   */
  notOnWhatsApp?: ((recipient: string) => boolean) | readonly string[];
  /**
   * A further share (0–1) of all numbers that are not on WhatsApp, chosen by a hash of the
   * number: the same number is off WhatsApp on every phone and every run. Default 0.
   */
  notOnWhatsAppShare?: number;
  /**
   * WhatsApp bans a number that writes to more than this many new contacts within an hour:
   * the send that crosses it and every later one fail, and heartbeats say BANNED. Default: never.
   */
  banAboveNewContactsPerHour?: number;
  /**
   * Random losses of the phone's network: heartbeats say the network is down, and a send
   * waits (as WhatsApp queues it with a clock) until it is back. Default: never.
   */
  disconnects?: DisconnectOptions;
  /** The VM under the phone: how long a restart takes it away. */
  vm?: SimVmOptions;
  /**
   * The phone's own chat history, as a file of JSON lines (`{messageId, jobId, recipient, atMs}`)
   * appended and fsync'd the moment a message leaves: it survives the agent, as a real phone's
   * chats do, so `lookupSent` can tell after a restart, and a crash test can count what the
   * phone really sent. Default: none (`lookupSent` then cannot tell).
   */
  sentRecordFile?: string;
}

/** One line of a simulated phone's record of what it sent. */
export interface SimSentRecord {
  messageId: string;
  jobId: string;
  recipient: string;
  atMs: number;
}

/** Every message a simulated phone's record file says it sent, in order (duplicates included). */
export function readSimSentRecord(path: string): SimSentRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as SimSentRecord];
      } catch {
        return []; // a line the crash cut short
      }
    });
}

export interface SimDriver extends DeviceDriver {
  /** Simulates someone writing to this phone: a text, with a file, a location or contact cards. */
  inbound(from: string, text: string, profileName?: string, extras?: InboundExtras): void;
  /** The VM the phone runs in (restart, snapshots, APKs, screenshots): see the sim VM provider. */
  readonly vm: SimVm;
}

/** Everything one send will do, drawn up front so timing never changes what is drawn. */
interface SendPlan {
  sendDelayMs: number;
  deliveredAfterMs: number;
  readAfterMs: number;
  read: boolean;
}

const HOUR_MS = 3_600_000;
/** Its own stream for the network, so losses never shift what sends draw (and vice versa). */
const NETWORK_STREAM = 1_000_003;

/**
 * A simulated WhatsApp phone: repeatable from its seed, one send at a time, ticks via timers.
 * Sends to new contacts take longer than to known ones, numbers may not be on WhatsApp,
 * writing to too many strangers gets the number banned, and the network may drop.
 */
export function createSimDriver(options: SimDriverOptions = {}): SimDriver {
  const phoneNumber = options.phoneNumber ?? '79990000001';
  const info: DeviceInfo = {
    deviceKey: options.deviceKey ?? `sim-${phoneNumber}`,
    phoneNumber,
    androidVersion: '14',
    whatsappVersion: '2.25.1.75',
    driver: 'sim',
  };
  const seed = options.seed ?? 1;
  const prng = createPrng(seed);
  const sendDelayMs = options.sendDelayMs ?? { min: 50, max: 150 };
  const newContactSendDelayMs = options.newContactSendDelayMs ?? sendDelayMs;
  const deliveredAfterMs = options.deliveredAfterMs ?? { min: 100, max: 400 };
  const readAfterMs = options.readAfterMs ?? { min: 200, max: 1_000 };
  const readProbability = options.readProbability ?? 1;
  const isNotOnWhatsApp = notOnWhatsAppMatcher(
    options.notOnWhatsApp ?? ['0000'],
    options.notOnWhatsAppShare ?? 0,
  );
  const banAbove = options.banAboveNewContactsPerHour ?? Number.POSITIVE_INFINITY;
  const network = createNetwork(
    options.disconnects,
    createPrng(deriveSeed(seed, NETWORK_STREAM)),
    Date.now(),
  );

  const vm = createSimVm(info.deviceKey, options.vm);
  const receipts = new Listeners<DeviceReceipt>();
  const inbounds = new Listeners<DeviceInbound>();
  const timers = new Set<NodeJS.Timeout>();
  /** Recipients this number has written to: later sends to them are to a known contact. */
  const contacts = new Set<string>();
  /** When each new contact of the last hour was written to, oldest first. */
  const newContactTimes: number[] = [];
  let banned = false;
  let closed = false;
  const sentRecord = openSentRecord(options.sentRecordFile);
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

  // The send delay is not unref'd: a send in progress is work the process must finish.
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  function plan(newContact: boolean): SendPlan {
    return {
      sendDelayMs: drawDelay(prng, newContact ? newContactSendDelayMs : sendDelayMs),
      deliveredAfterMs: drawDelay(prng, deliveredAfterMs),
      readAfterMs: drawDelay(prng, readAfterMs),
      read: prng.next() < readProbability,
    };
  }

  function failed(errorCode: number, reason = describeStatusError(errorCode)): SendOutcome {
    return { sent: false, errorCode, reason };
  }

  /** Counts a new contact; true when that is one too many for the hour and WhatsApp bans. */
  function crossesBanLine(now: number): boolean {
    while (newContactTimes.length > 0 && newContactTimes[0]! <= now - HOUR_MS) newContactTimes.shift();
    newContactTimes.push(now);
    return newContactTimes.length > banAbove;
  }

  async function sendNow(job: SendJob): Promise<SendOutcome> {
    if (closed) throw new Error(`sim device ${info.deviceKey} is closed`);
    const newContact = !contacts.has(job.recipient);
    const steps = plan(newContact);
    if (banned) return failed(StatusErrorCode.Unknown, 'the number is banned by WhatsApp');
    // A restarting VM takes the phone away: the send goes out once WhatsApp runs again.
    await vm.whenRunning();
    if (closed) throw new Error(`sim device ${info.deviceKey} is closed`);
    // Offline, WhatsApp keeps the message (clock icon) and sends it once the network is back.
    const backAt = network.backAt(Date.now());
    if (backAt !== undefined) await wait(backAt - Date.now());
    await wait(steps.sendDelayMs);
    if (isNotOnWhatsApp(job.recipient)) return failed(StatusErrorCode.NotOnWhatsApp);
    if (newContact && crossesBanLine(Date.now())) {
      banned = true;
      return failed(StatusErrorCode.Unknown, 'the number is banned by WhatsApp');
    }
    contacts.add(job.recipient);
    const atMs = Date.now();
    sentRecord?.append({ messageId: job.messageId, jobId: job.jobId, recipient: job.recipient, atMs });
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
    vm,
    send: (job) => queue.run(() => sendNow(job)),
    async lookupSent(job): Promise<PhoneRecord> {
      if (!sentRecord) return undefined;
      const atMs = sentRecord.sentAt(job.messageId);
      return atMs === undefined ? { sent: false } : { sent: true, atMs };
    },
    async heartbeat(): Promise<DeviceHealth> {
      if (vm.state() !== 'running') throw new Error(`sim device ${info.deviceKey}: the VM is ${vm.state()}`);
      return {
        batteryPercent: 100,
        screenOn: true,
        storageFreeBytes: String(32 * 1024 ** 3),
        networkUp: network.backAt(Date.now()) === undefined,
        whatsappState: banned
          ? fleet.WhatsAppState.WHATS_APP_STATE_BANNED
          : fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_IN,
      };
    },
    onReceipt: (listener) => receipts.add(listener),
    onInbound: (listener) => inbounds.add(listener),
    inbound(from, text, profileName = '', extras = {}) {
      contacts.add(from);
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
      vm.close();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await queue.idle();
    },
  };
}

/** The simulated phone's durable chat history: what it sent, on disk before the send returns. */
function openSentRecord(path: string | undefined) {
  if (!path) return undefined;
  mkdirSync(dirname(path), { recursive: true });
  const sent = new Map(readSimSentRecord(path).map((record) => [record.messageId, record.atMs]));
  const fd = openSync(path, 'a', 0o600);
  return {
    sentAt: (messageId: string) => sent.get(messageId),
    append(record: SimSentRecord) {
      writeSync(fd, `${JSON.stringify(record)}\n`);
      fsyncSync(fd);
      sent.set(record.messageId, record.atMs);
    },
  };
}

function notOnWhatsAppMatcher(
  rule: ((recipient: string) => boolean) | readonly string[],
  share: number,
): (recipient: string) => boolean {
  // A full number is its own suffix, so one list serves both.
  const listed =
    typeof rule === 'function'
      ? rule
      : (recipient: string) => rule.some((suffix) => recipient.endsWith(suffix));
  return (recipient) => listed(recipient) || hashShare(recipient) < share;
}

/**
 * Settings that behave like a real phone and WhatsApp (for a realistic demo or a soak run):
 * ~5 s to a new contact, ~1.5 s to a known one, delivery after ~2 s, most messages read within
 * minutes, 5 % of numbers without WhatsApp, a ban above 60 new contacts an hour, and a network
 * loss every few hours.
 */
export const REALISTIC_SIM: Readonly<SimDriverOptions> = {
  newContactSendDelayMs: { medianMs: 5_000, spread: 0.3 },
  sendDelayMs: { medianMs: 1_500, spread: 0.3 },
  deliveredAfterMs: { medianMs: 2_000, spread: 0.8 },
  readAfterMs: { medianMs: 60_000, spread: 1.5 },
  readProbability: 0.7,
  notOnWhatsAppShare: 0.05,
  banAboveNewContactsPerHour: 60,
  disconnects: { meanOnlineMs: 3 * HOUR_MS, offlineMs: { medianMs: 30_000, spread: 1 } },
};
