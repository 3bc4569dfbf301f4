import { fleet } from '@wagate/contracts';
import { createLogger, type Logger } from '@wagate/telemetry';
import type {
  DeviceDriver,
  DeviceInbound,
  DeviceInfo,
  DeviceReceipt,
  SendJob,
  SendOutcome,
} from '../../driver.js';
import { downloadMedia, type MediaDownloadOptions } from '../../media/download-media.js';
import { Listeners } from '../listeners.js';
import { SerialQueue } from '../serial-queue.js';
import { createAdbCli } from './adb-cli.js';
import { readVersions } from './device-info.js';
import { readHealth } from './health.js';
import { startNotificationPoller } from './notification-poller.js';
import { createPhone, type Phone } from './phone.js';
import { readTicks } from './read-ticks.js';
import { createScreenReader } from './screen-reader.js';
import { type ScreenPatterns, screenPatterns } from './screens.js';
import { sendMedia } from './send-media.js';
import { sameText } from './same-text.js';
import { sendText } from './send-text.js';
import { createTickWatcher } from './tick-watcher.js';
import { defaultTickLabels, type OutgoingMessage, type TickStatus } from './ticks.js';
import { whatsappStateOf } from './whatsapp-state.js';

/** WhatsApp, or WhatsApp Business. */
export type WhatsAppPackage = 'com.whatsapp' | 'com.whatsapp.w4b';

export interface AdbTimeouts {
  /** Any one adb command. */
  commandMs: number;
  /** From opening a chat link to the chat ready to send, or WhatsApp's refusal. */
  chatOpenMs: number;
  /** From tapping send to the input emptied. */
  confirmMs: number;
  /** Pause between two looks at the screen while waiting. */
  pollIntervalMs: number;
}

/** A new contact's chat takes a real phone about 5 s to open; the rest is margin. */
export const defaultAdbTimeouts: AdbTimeouts = {
  commandMs: 15_000,
  chatOpenMs: 20_000,
  confirmMs: 5_000,
  pollIntervalMs: 750,
};

export interface AdbDriverOptions {
  /** The adb serial: `emulator-5554`, or `host:5555` after `adb connect`. */
  serial: string;
  /** The phone's own WhatsApp number, digits. */
  phoneNumber: string;
  adbPath?: string;
  whatsappPackage?: WhatsAppPackage;
  /** Told to the fleet; `openAdbDriver` reads them from the phone. */
  androidVersion?: string;
  whatsappVersion?: string;
  timeouts?: Partial<AdbTimeouts>;
  /** Texts that identify WhatsApp's screens; add the phone's language if it is missing. */
  screenPatterns?: Partial<ScreenPatterns>;
  /** Content descriptions of the tick icon, lower case, in the phone's language. */
  tickLabels?: Readonly<Record<string, TickStatus>>;
  /**
   * Receipts from the ticks on the chat screen. Off unless `intervalMs` > 0: each look opens
   * the chat, which takes the phone's one UI away from sending for a few seconds.
   */
  ticks?: { intervalMs?: number; watchForMs?: number };
  /** Incoming messages from WhatsApp's notifications, every `intervalMs` (default 5 s; 0: off). */
  notifications?: { intervalMs?: number };
  /** How `contentUrl` files are fetched (which networks they may come from, time limit). */
  media?: MediaDownloadOptions;
  logger?: Logger;
}

export interface AdbDriver extends DeviceDriver {
  /** Opens the chat and reads the ticks of the newest message sent there. */
  readTicks(recipient: string): Promise<OutgoingMessage | undefined>;
  /** Reads the notifications now and reports incoming messages not reported before. */
  pollNotifications(): Promise<void>;
}

/**
 * A real Android phone or VM running WhatsApp, driven through the `adb` command line: chat
 * links to send, UI Automator dumps to see, taps and BACK presses to act, notifications for
 * incoming messages. One UI, so sends and chat visits run one at a time.
 */
export function createAdbDriver(options: AdbDriverOptions): AdbDriver {
  const { serial } = options;
  const whatsappPackage = options.whatsappPackage ?? 'com.whatsapp';
  const timeouts = { ...defaultAdbTimeouts, ...options.timeouts };
  const log = options.logger ?? createLogger('device-agent:adb');
  const phone = createPhone(
    createAdbCli({ adbPath: options.adbPath, timeoutMs: timeouts.commandMs }),
    serial,
    whatsappPackage,
  );
  const info: DeviceInfo = {
    deviceKey: serial,
    phoneNumber: options.phoneNumber,
    androidVersion: options.androidVersion ?? '',
    whatsappVersion: options.whatsappVersion ?? '',
    driver: 'adb',
  };
  const receipts = new Listeners<DeviceReceipt>((error) =>
    log.error({ err: error, serial }, 'receipt listener failed'),
  );
  const inbounds = new Listeners<DeviceInbound>((error) =>
    log.error({ err: error, serial }, 'inbound listener failed'),
  );
  const ui = new SerialQueue();
  // A phone joins the fleet with WhatsApp set up, so logged in until a screen says otherwise.
  let whatsappState = fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_IN;
  let closed = false;

  const reader = createScreenReader(phone, {
    whatsappPackage,
    patterns: screenPatterns(options.screenPatterns),
    pollIntervalMs: timeouts.pollIntervalMs,
    onScreen(screen) {
      whatsappState = whatsappStateOf(screen) ?? whatsappState;
    },
  });
  const onLeaveError = (error: unknown) => log.warn({ err: error, serial }, 'could not leave the chat');
  const ticksOf = (recipient: string) =>
    ui.run(() =>
      readTicks(phone, reader, recipient, {
        whatsappPackage,
        tickLabels: options.tickLabels ?? defaultTickLabels,
        chatOpenMs: timeouts.chatOpenMs,
        onLeaveError,
      }),
    );

  const tickIntervalMs = options.ticks?.intervalMs ?? 0;
  const ticks =
    tickIntervalMs > 0
      ? createTickWatcher({
          intervalMs: tickIntervalMs,
          watchForMs: options.ticks?.watchForMs ?? 15 * 60_000,
          read: ticksOf,
          emit: (receipt) => receipts.emit(receipt),
          onError: (error) => log.warn({ err: error, serial }, 'could not read ticks'),
        })
      : undefined;
  const notifications = startNotificationPoller({
    intervalMs: options.notifications?.intervalMs ?? 5_000,
    whatsappPackage,
    readDumps: () => readNotificationDumps(phone),
    emit: (message) => inbounds.emit(message),
    onError: (error) => log.warn({ err: error, serial }, 'could not read notifications'),
  });

  async function sendNow(job: SendJob): Promise<SendOutcome> {
    if (closed) throw new Error(`adb device ${serial} is closed`);
    const outcome = job.contentUrl
      ? await sendFile({ ...job, contentUrl: job.contentUrl })
      : await ui.run(() => sendText(phone, reader, job, timeouts, onLeaveError));
    if (outcome.sent && !job.contentUrl) {
      ticks?.watch({
        messageId: job.messageId,
        recipient: job.recipient,
        text: job.text,
        sentAtMs: outcome.atMs,
      });
    }
    return outcome;
  }

  /** Fetched before the phone's UI is taken: a slow download must not hold up its other work. */
  async function sendFile(job: SendJob & { contentUrl: string }): Promise<SendOutcome> {
    const download = await downloadMedia(job, options.media);
    if (!download.ok) return { sent: false, errorCode: download.errorCode, reason: download.reason };
    try {
      return await ui.run(() =>
        sendMedia(phone, reader, { ...job, media: download.media }, timeouts, onLeaveError),
      );
    } finally {
      await download.media.remove();
    }
  }

  return {
    info,
    send: sendNow,
    /**
     * The chat's newest outgoing message is this text: it left, or waits with a clock and will
     * leave (the time it left is not on screen: now stands in). Anything else — another message
     * since, a media message, no chat — cannot tell.
     */
    async lookupSent(job) {
      if (job.contentUrl || closed) return undefined;
      const newest = await ticksOf(job.recipient);
      return newest && sameText(newest.text, job.text) ? { sent: true, atMs: Date.now() } : undefined;
    },
    async heartbeat() {
      // A look at the screen while the phone is idle may show WhatsApp's state; while it is
      // busy its screens are read anyway, and a queued look would only delay the next send.
      if (ui.pending === 0 && !closed) {
        await ui
          .run(() => reader.look())
          .catch((error) => log.debug({ err: error, serial }, 'could not read the screen for a heartbeat'));
      }
      return readHealth(phone, whatsappState);
    },
    onReceipt: (listener) => receipts.add(listener),
    onInbound: (listener) => inbounds.add(listener),
    readTicks: ticksOf,
    pollNotifications: () => notifications.poll(),
    async close() {
      closed = true;
      ticks?.close();
      notifications.close();
      await ui.idle();
    },
  };
}

/**
 * `createAdbDriver` with the Android and WhatsApp versions read from the phone first. A
 * phone that cannot be read yet still gets its driver: heartbeats will say what is wrong.
 */
export async function openAdbDriver(options: AdbDriverOptions): Promise<AdbDriver> {
  const whatsappPackage = options.whatsappPackage ?? 'com.whatsapp';
  const timeoutMs = options.timeouts?.commandMs ?? defaultAdbTimeouts.commandMs;
  const log = options.logger ?? createLogger('device-agent:adb');
  const phone = createPhone(
    createAdbCli({ adbPath: options.adbPath, timeoutMs }),
    options.serial,
    whatsappPackage,
  );
  try {
    const versions = await readVersions(phone, whatsappPackage);
    if (!versions.whatsappVersion) {
      log.warn({ serial: options.serial, whatsappPackage }, 'WhatsApp does not seem to be installed');
    }
    return createAdbDriver({ ...versions, ...options, logger: log });
  } catch (error) {
    log.warn({ err: error, serial: options.serial }, "could not read the phone's versions");
    return createAdbDriver({ ...options, logger: log });
  }
}

/** Both at once: the redacted one vouches for the records of the other (see confirmedRecords). */
async function readNotificationDumps(phone: Phone): Promise<{ unredacted: string; redacted: string }> {
  const [unredacted, redacted] = await Promise.all([
    phone.shell(['dumpsys', 'notification', '--noredact']),
    phone.shell(['dumpsys', 'notification']),
  ]);
  return { unredacted, redacted };
}
