import { describe, expect, test } from 'vitest';
import type { DeviceInbound } from '../../src/driver.js';
import { startNotificationPoller } from '../../src/drivers/adb/notification-poller.js';
import { fixture } from '../support/fixtures.js';

function poller(dumps: { unredacted: string; redacted: string }) {
  const seen: DeviceInbound[] = [];
  const started = startNotificationPoller({
    intervalMs: 0,
    whatsappPackage: 'com.whatsapp',
    readDumps: async () => dumps,
    emit: (message) => seen.push(message),
    onError: (error) => {
      throw error;
    },
  });
  return { seen, poll: () => started.poll() };
}

const dumps = () => ({
  unredacted: fixture('dumpsys-notification-noredact.txt'),
  redacted: fixture('dumpsys-notification.txt'),
});

describe('notification poller', () => {
  test('reports each message once, however often it polls', async () => {
    const { seen, poll } = poller(dumps());
    await poll();
    await Promise.all([poll(), poll()]);
    expect(seen.map(({ from, text, profileName, atMs }) => ({ from, text, profileName, atMs }))).toEqual([
      {
        from: '79161234567',
        text: 'Hi! Can I pick the order up at 6? 🙂',
        profileName: 'Anna Smirnova',
        atMs: 1732435316512,
      },
      {
        from: '79034567890',
        text: 'Hello!\nIs the courier coming today?\nOrder #1042',
        profileName: '\u202a+7 903 456-78-90\u202c',
        atMs: 1732435330877,
      },
    ]);
  });

  test('reports the next message of a chat, which updates its notification', async () => {
    const current = dumps();
    const { seen, poll } = poller(current);
    await poll();
    current.unredacted = current.unredacted
      .replace('Hi! Can I pick the order up at 6? 🙂)', 'Or at 7?)')
      .replaceAll('mUpdateTimeMs=1732435316512', 'mUpdateTimeMs=1732435400000');
    await poll();
    expect(seen.map((message) => message.text)).toEqual([
      'Hi! Can I pick the order up at 6? 🙂',
      'Hello!\nIs the courier coming today?\nOrder #1042',
      'Or at 7?',
    ]);
    expect(seen[2]!.atMs).toBe(1732435400000);
  });

  test('gives a message the same key after a restart, so the fleet knows a repeat', async () => {
    const first = poller(dumps());
    const second = poller(dumps());
    await first.poll();
    await second.poll();
    const keys = first.seen.map((message) => message.deviceMessageKey);
    expect(second.seen.map((message) => message.deviceMessageKey)).toEqual(keys);
    expect(new Set(keys).size).toBe(2);
  });
});
