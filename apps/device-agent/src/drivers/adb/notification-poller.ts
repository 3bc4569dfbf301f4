import { createHash } from 'node:crypto';
import { BoundedMap } from '../../bounded-map.js';
import type { DeviceInbound } from '../../driver.js';
import {
  confirmedRecords,
  type NotificationMessage,
  parseNotificationRecords,
  whatsappMessages,
} from './notifications.js';

export interface NotificationPollerOptions {
  /** Pause between polls; 0 polls only when asked. */
  intervalMs: number;
  whatsappPackage: string;
  /** `dumpsys notification --noredact` and plain `dumpsys notification`, taken together. */
  readDumps(): Promise<{ unredacted: string; redacted: string }>;
  emit(message: DeviceInbound): void;
  onError(error: unknown): void;
  /** Messages remembered as reported. */
  remember?: number;
}

export interface NotificationPoller {
  /** Reads the notifications now and reports messages not reported before. */
  poll(): Promise<void>;
  close(): void;
}

/**
 * Reports incoming WhatsApp messages from the notifications they raise. A notification stays
 * in the shade after it was read, so each message is reported once per poller (and with the
 * same key after a restart, for the fleet to recognise). WhatsApp keeps one notification per
 * chat showing its newest message: two messages arriving between polls are one report.
 */
export function startNotificationPoller(options: NotificationPollerOptions): NotificationPoller {
  const reported = new BoundedMap<string, true>(options.remember ?? 10_000);
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function pollNow(): Promise<void> {
    const { unredacted, redacted } = await options.readDumps();
    const records = confirmedRecords(
      parseNotificationRecords(unredacted),
      parseNotificationRecords(redacted),
    );
    for (const message of whatsappMessages(records, options.whatsappPackage)) {
      const deviceMessageKey = messageKey(message);
      if (reported.get(deviceMessageKey)) continue;
      reported.set(deviceMessageKey, true);
      options.emit({
        deviceMessageKey,
        from: message.from,
        text: message.text,
        profileName: message.profileName,
        atMs: message.postedAtMs ?? Date.now(),
      });
    }
  }

  function poll(): Promise<void> {
    // Overlapping polls would read the same notifications twice over a slow adb.
    inFlight ??= pollNow().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  function schedule(): void {
    if (closed || options.intervalMs <= 0) return;
    timer = setTimeout(() => {
      poll().catch(options.onError).finally(schedule);
    }, options.intervalMs);
    timer.unref();
  }

  schedule();
  return {
    poll,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

/**
 * The same message gets the same key on every poll and after a restart: the notification's
 * key, when it was posted, and what it says.
 */
function messageKey(message: NotificationMessage): string {
  const source = [message.notificationKey, message.postedAtMs ?? '', message.text].join('\n');
  return `wa-notification:${createHash('sha256').update(source).digest('hex').slice(0, 32)}`;
}
