import { fleet } from '@wagate/contracts';
import { describe, expect, test } from 'vitest';
import {
  awake,
  back,
  backHome,
  chatIntent,
  dumpCommands,
  healthRules,
  job,
  opens,
  sendButtonCentre,
  tapSend,
  useAdbDrivers,
  whatsappUser,
} from '../support/adb-phone.js';
import type { FakeAdbRule } from '../support/fake-adb.js';

describe('adb driver: send', () => {
  const phone = useAdbDrivers();
  const commands = () => phone.fake().commands();

  test('opens the chat by link, taps send at the centre of the button, confirms, goes back', async () => {
    const driver = await phone.driverFor(whatsappUser());
    const before = Date.now();
    const outcome = await driver.send(job(1));
    expect(outcome).toEqual({ sent: true, atMs: expect.any(Number) });
    if (outcome.sent) expect(outcome.atMs).toBeGreaterThanOrEqual(before);
    expect(await commands()).toEqual([
      ['dumpsys', 'power'],
      chatIntent('79161234567', 'Hello%21'),
      ...dumpCommands, // still the home screen
      ...dumpCommands, // the chat, the text in its input
      sendButtonCentre,
      ...dumpCommands, // the input emptied
      back,
      back,
    ]);
  });

  test('wakes a sleeping screen first', async () => {
    const asleep: FakeAdbRule = { when: 'dumpsys power', file: 'dumpsys-power-asleep.txt' };
    const driver = await phone.driverFor({
      ...whatsappUser(),
      rules: [asleep, opens('ui-chat-ready.xml'), tapSend],
    });
    expect((await driver.send(job(1))).sent).toBe(true);
    expect((await commands()).slice(0, 3)).toEqual([
      ['dumpsys', 'power'],
      ['input', 'keyevent', 'KEYCODE_WAKEUP'],
      chatIntent('79161234567', 'Hello%21'),
    ]);
  });

  test('carries any text to WhatsApp intact: quotes, $, newlines, emoji', async () => {
    const text = `He said "it's $5 & \`free\`" (100%)!\nSecond line;\ttab | pipe > ~ #tag 🙂👍🏽 ünï`;
    const driver = await phone.driverFor(whatsappUser());
    expect((await driver.send(job(1, text))).sent).toBe(true);
    const calls = await phone.fake().invocations();
    const intent = calls.find((call) => call.shell?.[0] === 'am');
    expect(new URL(intent!.shell![5]!).searchParams.get('text')).toBe(text);
    // What adb itself was given: one quoted command with nothing the device's shell would expand.
    expect(intent!.argv[3]).not.toMatch(/[\n$`"]/);
    expect(calls.some((call) => call.error)).toBe(false);
  });

  test.each([
    ['English', 'ui-not-on-whatsapp-en.xml', "isn't on WhatsApp"],
    ['Russian', 'ui-not-on-whatsapp-ru.xml', 'не пользуется WhatsApp'],
  ])('fails with 2305 on the "not on WhatsApp" dialog (%s), never tapping send', async (_, dialog, said) => {
    const driver = await phone.driverFor({
      ...whatsappUser(),
      rules: [awake, opens(dialog), tapSend, backHome],
    });
    const outcome = await driver.send(job(1, 'Hello!', '79160000000'));
    expect(outcome).toMatchObject({ sent: false, errorCode: 2305 });
    if (!outcome.sent) expect(outcome.reason).toContain(said);
    const sent = await commands();
    expect(sent.some((words) => words[1] === 'tap')).toBe(false);
    expect(sent.slice(-2)).toEqual([back, back]);
  });

  test('fails with 2313 when the chat never opens, after its timeout, and goes back', async () => {
    const driver = await phone.driverFor(
      { ...whatsappUser(), rules: [awake, opens(), backHome] },
      { timeouts: { chatOpenMs: 300 } },
    );
    const outcome = await driver.send(job(1));
    expect(outcome).toMatchObject({ sent: false, errorCode: 2313 });
    if (!outcome.sent) expect(outcome.reason).toBe('WhatsApp did not come to the front within 300 ms');
    const sent = await commands();
    expect(sent.some((words) => words[1] === 'tap')).toBe(false);
    expect(sent.slice(-2)).toEqual([back, back]);
  });

  test('never taps send in a chat whose input holds some other text', async () => {
    const stale: FakeAdbRule = {
      when: 'am start',
      screens: ['ui-chat-ready.xml'],
      showText: 'an older draft',
    };
    const driver = await phone.driverFor(
      { ...whatsappUser(), rules: [awake, stale, tapSend, backHome] },
      { timeouts: { chatOpenMs: 300 } },
    );
    const outcome = await driver.send(job(1));
    expect(outcome).toMatchObject({ sent: false, errorCode: 2313 });
    if (!outcome.sent) expect(outcome.reason).toMatch(/input did not hold the message text/);
    expect((await commands()).some((words) => words[1] === 'tap')).toBe(false);
  });

  test('says the message may have left when the input does not empty after the tap', async () => {
    const stuck: FakeAdbRule = { ...tapSend, screens: ['ui-chat-ready.xml'] };
    const driver = await phone.driverFor(
      { ...whatsappUser(), rules: [awake, opens('ui-chat-ready.xml'), stuck, backHome] },
      { timeouts: { confirmMs: 300 } },
    );
    const outcome = await driver.send(job(1));
    expect(outcome).toMatchObject({ sent: false, errorCode: 2313 });
    if (!outcome.sent) expect(outcome.reason).toMatch(/may or may not have left/);
  });

  test('fails fast when WhatsApp is logged out, and the heartbeat then says so', async () => {
    const driver = await phone.driverFor({
      screens: ['ui-home.xml'],
      rules: [awake, opens('ui-verify-phone.xml'), backHome, ...healthRules()],
    });
    const outcome = await driver.send(job(1));
    expect(outcome).toMatchObject({ sent: false, errorCode: 2313 });
    if (!outcome.sent) expect(outcome.reason).toMatch(/logged-out.*Verify your phone number/);
    expect((await driver.heartbeat()).whatsappState).toBe(fleet.WhatsAppState.WHATS_APP_STATE_LOGGED_OUT);
  });

  test('throws when WhatsApp cannot be started, so nobody takes it for a refusal', async () => {
    const notInstalled: FakeAdbRule = {
      when: 'am start',
      stdout:
        'Starting: Intent { act=android.intent.action.VIEW pkg=com.whatsapp }\n' +
        'Error: Activity not started, unable to resolve Intent { act=android.intent.action.VIEW flg=0x10000000 pkg=com.whatsapp }\n',
    };
    const driver = await phone.driverFor({ ...whatsappUser(), rules: [awake, notInstalled] });
    await expect(driver.send(job(1))).rejects.toThrow(
      /am start on emulator-5554 failed: Error: Activity not started/,
    );
    // Nothing opened, so nothing to tap or leave.
    expect((await commands()).map((words) => words[0])).toEqual(['dumpsys', 'am']);
  });

  test('runs two sends one after the other: a phone is one UI', async () => {
    const driver = await phone.driverFor(whatsappUser());
    const outcomes = await Promise.all([
      driver.send(job(1, 'First', '79161111111')),
      driver.send(job(2, 'Second', '79162222222')),
    ]);
    expect(outcomes.map((outcome) => outcome.sent)).toEqual([true, true]);
    const steps = (await commands())
      .map((words) =>
        words[0] === 'am'
          ? `open ${new URL(words[5]!).searchParams.get('phone')}`
          : words.slice(0, 3).join(' '),
      )
      .filter((step) => step.startsWith('open') || step.startsWith('input'));
    expect(steps).toEqual([
      'open 79161111111',
      'input tap 1006',
      'input keyevent KEYCODE_BACK',
      'input keyevent KEYCODE_BACK',
      'open 79162222222',
      'input tap 1006',
      'input keyevent KEYCODE_BACK',
      'input keyevent KEYCODE_BACK',
    ]);
  });

  test('media of a declared type WhatsApp does not take fails with 2303, nothing fetched or touched', async () => {
    const driver = await phone.driverFor(whatsappUser());
    const outcome = await driver.send({
      ...job(1),
      // Not resolvable: a fetch would fail with 2313, so 2303 proves the type was refused first.
      contentUrl: 'https://media.invalid/a.tiff',
      contentType: 'image/tiff',
    });
    expect(outcome).toEqual({
      sent: false,
      errorCode: 2303,
      reason: 'content type image/tiff is not in the media table',
    });
    expect(await commands()).toEqual([]);
  });

  test('refuses to send once closed', async () => {
    const driver = await phone.driverFor(whatsappUser());
    await driver.close();
    await expect(driver.send(job(1))).rejects.toThrow(/closed/);
  });
});
