import { createLogger } from '@wagate/telemetry';
import { afterEach } from 'vitest';
import type { SendJob } from '../../src/driver.js';
import { type AdbDriver, type AdbDriverOptions, createAdbDriver } from '../../src/drivers/adb/adb-driver.js';
import { createFakeAdb, type FakeAdb, type FakeAdbRule, type FakeAdbScenario } from './fake-adb.js';

/** The scripted phone the adb driver's tests talk to, and what they expect it to be told. */

export const serial = 'emulator-5554';

export const dumpCommands = [
  ['uiautomator', 'dump', '/data/local/tmp/wagate-ui.xml'],
  ['cat', '/data/local/tmp/wagate-ui.xml'],
];
export const back = ['input', 'keyevent', 'KEYCODE_BACK'];
/** The send button of ui-chat-ready.xml is [954,2171][1059,2276]. */
export const sendButtonCentre = ['input', 'tap', '1006', '2223'];

export const awake: FakeAdbRule = { when: 'dumpsys power', file: 'dumpsys-power-awake.txt' };
export const tapSend: FakeAdbRule = {
  when: 'input tap',
  tap: 'com.whatsapp:id/send',
  screens: ['ui-chat-sent.xml'],
};
export const backHome: FakeAdbRule = { when: 'input keyevent KEYCODE_BACK', screens: ['ui-home.xml'] };

/** A chat link that opens `screens` on the second look, as a real phone takes a moment. */
export const opens = (...screens: string[]): FakeAdbRule => ({
  when: 'am start',
  screens: ['ui-home.xml', ...screens],
});

/** A recipient on WhatsApp: the chat opens with the text in its input; send empties it. */
export const whatsappUser = (): FakeAdbScenario => ({
  screens: ['ui-home.xml'],
  rules: [awake, opens('ui-chat-ready.xml'), tapSend, backHome],
});

export function healthRules(): FakeAdbRule[] {
  return [
    { when: 'dumpsys battery', file: 'dumpsys-battery.txt' },
    { when: 'dumpsys power', file: 'dumpsys-power-awake.txt' },
    { when: 'df /data', file: 'df-data.txt' },
    { when: 'dumpsys connectivity', file: 'dumpsys-connectivity.txt' },
  ];
}

export function notificationRules(): FakeAdbRule[] {
  return [
    { when: 'dumpsys notification --noredact', file: 'dumpsys-notification-noredact.txt' },
    { when: 'dumpsys notification', file: 'dumpsys-notification.txt' },
  ];
}

export function job(n: number, text = 'Hello!', recipient = '79161234567'): SendJob {
  return { jobId: `job-${n}`, messageId: `msg-${n}`, recipient, text };
}

export function chatIntent(recipient: string, encodedText?: string): string[] {
  const text = encodedText === undefined ? '' : `&text=${encodedText}`;
  return [
    'am',
    'start',
    '-a',
    'android.intent.action.VIEW',
    '-d',
    `https://api.whatsapp.com/send?phone=${recipient}${text}`,
    '-p',
    'com.whatsapp',
  ];
}

export function silentLogger() {
  const logger = createLogger('adb-driver-test');
  logger.level = 'silent';
  return logger;
}

/**
 * Drivers on a fresh fake adb each, closed and removed after every test. Waiting is generous
 * (it costs nothing when the screen shows up); tests about time-outs pass short ones.
 */
export function useAdbDrivers() {
  let current: FakeAdb | undefined;
  const drivers: AdbDriver[] = [];
  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((driver) => driver.close()));
    await current?.remove();
    current = undefined;
  });
  return {
    fake(): FakeAdb {
      if (!current) throw new Error('no fake adb yet: call driverFor first');
      return current;
    },
    async useFake(scenario: FakeAdbScenario): Promise<FakeAdb> {
      current = await createFakeAdb(scenario);
      return current;
    },
    async driverFor(scenario: FakeAdbScenario, options: Partial<AdbDriverOptions> = {}): Promise<AdbDriver> {
      current = await createFakeAdb(scenario);
      const driver = createAdbDriver({
        serial,
        phoneNumber: '79990000001',
        adbPath: current.adbPath,
        notifications: { intervalMs: 0 },
        logger: silentLogger(),
        ...options,
        timeouts: { chatOpenMs: 10_000, confirmMs: 10_000, pollIntervalMs: 20, ...options.timeouts },
      });
      drivers.push(driver);
      return driver;
    },
    track(driver: AdbDriver): AdbDriver {
      drivers.push(driver);
      return driver;
    },
  };
}
