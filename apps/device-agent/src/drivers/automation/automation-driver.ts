import { fleet } from '@wagate/contracts';
import { StatusErrorCode } from '@wagate/errors';
import type {
  DeviceDriver,
  DeviceHealth,
  DeviceInbound,
  DeviceInfo,
  DeviceReceipt,
  SendJob,
} from '../../driver.js';
import { Listeners } from '../listeners.js';
import { SerialQueue } from '../serial-queue.js';
import { InboundMemory, type InboundMemoryOptions } from './inbound-memory.js';
import { parseWhatsAppNotification, type RawNotification } from './notification-parser.js';
import { type JobDeadlines, PhoneJobs } from './phone-jobs.js';

/** A phone running an automation app, as configuration lists it. */
export interface AutomationPhone {
  deviceKey: string;
  /** The WhatsApp number registered on that phone, digits. */
  phoneNumber: string;
  /** SHA-256 (hex) of the phone's bearer token. */
  tokenSha256: string;
}

/** 60 s to be polled for (a phone polls at least every 25 s), 120 s from taking a job to its result. */
export const defaultDeadlines: JobDeadlines = { pickupMs: 60_000, resultMs: 120_000 };

export interface AutomationDriverOptions {
  deadlines?: Partial<JobDeadlines>;
  inbound?: InboundMemoryOptions;
  /** A phone that has not polled for this long is reported offline. Default 90 s. */
  offlineAfterMs?: number;
}

/** What one notification did: messages taken as new, recognised as repeats, or left out. */
export interface NotificationAnswer {
  accepted: number;
  repeated: number;
  ignored: string[];
}

/** The side of a phone the HTTP routes talk to. */
export interface AutomationPhoneSide {
  readonly jobs: PhoneJobs;
  notified(raw: RawNotification, postedAtMs: number): NotificationAnswer;
  receipt(jobId: string, kind: DeviceReceipt['kind']): ReturnType<PhoneJobs['receipt']>;
  polled(batteryPercent: number | undefined): void;
}

export interface AutomationDriver extends DeviceDriver {
  readonly phone: AutomationPhoneSide;
}

/**
 * A phone that runs its own automation (Automagic, Tasker, MacroDroid) and talks to the agent
 * over HTTP: it polls for the next job, sends it through WhatsApp itself, reports back, and
 * forwards WhatsApp's notifications. The driver only keeps the phone's side of that protocol.
 */
export function createAutomationDriver(
  phone: AutomationPhone,
  options: AutomationDriverOptions = {},
): AutomationDriver {
  const info: DeviceInfo = {
    deviceKey: phone.deviceKey,
    phoneNumber: phone.phoneNumber,
    // The app does not tell; the fleet stores what it is given.
    androidVersion: '',
    whatsappVersion: '',
    driver: 'automation',
  };
  const jobs = new PhoneJobs(phone.deviceKey, { ...defaultDeadlines, ...options.deadlines });
  const memory = new InboundMemory(phone.deviceKey, options.inbound);
  const offlineAfterMs = options.offlineAfterMs ?? 90_000;
  const receipts = new Listeners<DeviceReceipt>();
  const inbounds = new Listeners<DeviceInbound>();
  const queue = new SerialQueue();
  let batteryPercent = 0;

  async function sendNow(job: SendJob) {
    if (job.contentUrl) {
      return {
        sent: false as const,
        errorCode: StatusErrorCode.MediaNotSupported,
        reason: 'media sending through automation apps not implemented yet',
      };
    }
    return jobs.run(job);
  }

  const side: AutomationPhoneSide = {
    jobs,
    notified(raw, postedAtMs) {
      const answer: NotificationAnswer = { accepted: 0, repeated: 0, ignored: [] };
      const parsed = parseWhatsAppNotification(raw);
      if (parsed.kind === 'ignored') {
        answer.ignored.push(parsed.reason);
        return answer;
      }
      for (const message of parsed.messages) {
        // Like the adb driver: a group's message is not one sent to this number.
        if (message.group !== undefined) {
          answer.ignored.push(`a message in the group chat "${message.group}"`);
          continue;
        }
        const key = memory.admit(message, postedAtMs);
        if (key === undefined) {
          answer.repeated += 1;
          continue;
        }
        answer.accepted += 1;
        inbounds.emit({
          deviceMessageKey: key,
          from: message.from,
          text: message.text,
          profileName: message.sender,
          atMs: postedAtMs,
        });
      }
      return answer;
    },
    receipt(jobId, kind) {
      const answer = jobs.receipt(jobId, kind);
      if (answer.kind === 'accepted') receipts.emit({ messageId: answer.messageId, kind, atMs: Date.now() });
      return answer;
    },
    polled(battery) {
      if (battery !== undefined) batteryPercent = battery;
    },
  };

  return {
    info,
    phone: side,
    send: (job) => queue.run(() => sendNow(job)),
    async heartbeat(): Promise<DeviceHealth> {
      const polledAt = jobs.lastPollAtMs;
      const online = polledAt !== undefined && Date.now() - polledAt <= offlineAfterMs;
      return {
        batteryPercent,
        // What the phone's polling shows: it is awake and online, or it is not.
        screenOn: online,
        storageFreeBytes: '0',
        networkUp: online,
        whatsappState:
          polledAt === undefined
            ? fleet.WhatsAppState.WHATS_APP_STATE_UNSPECIFIED
            : fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_IN,
      };
    },
    onReceipt: (listener) => receipts.add(listener),
    onInbound: (listener) => inbounds.add(listener),
    async close() {
      jobs.close();
      await queue.idle();
    },
  };
}
