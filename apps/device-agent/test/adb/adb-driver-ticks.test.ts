import { describe, expect, test, vi } from 'vitest';
import type { DeviceReceipt } from '../../src/driver.js';
import {
  awake,
  back,
  backHome,
  chatIntent,
  job,
  opens,
  tapSend,
  useAdbDrivers,
} from '../support/adb-phone.js';

describe('adb driver: ticks', () => {
  const phone = useAdbDrivers();

  test('readTicks opens the chat without text and reads its newest outgoing message', async () => {
    const driver = await phone.driverFor({
      screens: ['ui-home.xml'],
      rules: [awake, opens('ui-chat-ticks.xml'), backHome],
    });
    expect(await driver.readTicks('79161234567')).toEqual({
      text: 'Your order #1042 has been shipped',
      status: 'DELIVERED',
    });
    const commands = await phone.fake().commands();
    expect(commands).toContainEqual(chatIntent('79161234567'));
    expect(commands.slice(-2)).toEqual([back, back]);
  });

  test('when enabled, turns the ticks after a send into DELIVERED and READ receipts', async () => {
    const driver = await phone.driverFor(
      {
        screens: ['ui-home.xml'],
        rules: [
          awake,
          // The send's link carries text; the later looks at the chat do not.
          { when: '&text=', screens: ['ui-home.xml', 'ui-chat-ready.xml'] },
          opens('ui-chat-ticks-ru.xml'),
          tapSend,
          backHome,
        ],
      },
      { ticks: { intervalMs: 20 } },
    );
    const receipts: DeviceReceipt[] = [];
    driver.onReceipt((receipt) => receipts.push(receipt));
    expect((await driver.send(job(7, 'Ждём вас до 21:00'))).sent).toBe(true);
    await vi.waitFor(() => expect(receipts).toHaveLength(2), { timeout: 10_000, interval: 20 });
    expect(receipts.map((receipt) => [receipt.messageId, receipt.kind])).toEqual([
      ['msg-7', 'DELIVERED'],
      ['msg-7', 'READ'],
    ]);
  });

  test('are off by default: the chat is not opened again after a send', async () => {
    const driver = await phone.driverFor({
      screens: ['ui-home.xml'],
      rules: [awake, opens('ui-chat-ready.xml'), tapSend, backHome],
    });
    await driver.send(job(1));
    const count = (await phone.fake().commands()).length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await phone.fake().commands()).toHaveLength(count);
  });
});
