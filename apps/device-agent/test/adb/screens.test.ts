import { describe, expect, test } from 'vitest';
import { classifyScreen, defaultScreenPatterns, screenPatterns } from '../../src/drivers/adb/screens.js';
import { parseUiDump } from '../../src/drivers/adb/ui-dump.js';
import { fixture } from '../support/fixtures.js';

const classify = (xml: string, patterns = defaultScreenPatterns) =>
  classifyScreen(parseUiDump(xml), 'com.whatsapp', patterns);

describe('classifyScreen', () => {
  test('a chat ready to send: its input holds the text and the send button shows', () => {
    const screen = classify(fixture('ui-chat-ready.xml').replace('{{text}}', 'Hello!'));
    expect(screen.kind).toBe('chat');
    if (screen.kind !== 'chat') return;
    expect(screen.entry.text).toBe('Hello!');
    expect(screen.send?.contentDesc).toBe('Send');
  });

  test('a chat after sending: empty input, the microphone instead of the send button', () => {
    const screen = classify(fixture('ui-chat-sent.xml'));
    expect(screen).toMatchObject({ kind: 'chat', send: undefined, entry: { text: '' } });
  });

  test.each([
    ['ui-not-on-whatsapp-en.xml', "+7 916 000-00-00 isn't on WhatsApp."],
    ['ui-not-on-whatsapp-ru.xml', 'Номер +7 916 000-00-00 не пользуется WhatsApp.'],
  ])('the "not on WhatsApp" dialog (%s)', (file, message) => {
    expect(classify(fixture(file))).toEqual({ kind: 'not-on-whatsapp', message });
  });

  test("the older wording of that dialog: the link's number is invalid", () => {
    const xml = fixture('ui-not-on-whatsapp-en.xml').replace(
      "+7 916 000-00-00 isn't on WhatsApp.",
      'Phone number shared via url is invalid.',
    );
    expect(classify(xml).kind).toBe('not-on-whatsapp');
  });

  test('registration ("verify your phone number") is logged out; a ban is banned', () => {
    expect(classify(fixture('ui-verify-phone.xml'))).toEqual({
      kind: 'logged-out',
      message: 'Verify your phone number',
    });
    expect(classify(fixture('ui-banned.xml'))).toMatchObject({ kind: 'banned' });
  });

  test('the chat list is WhatsApp; the launcher is elsewhere', () => {
    expect(classify(fixture('ui-whatsapp-chats.xml'))).toEqual({ kind: 'whatsapp' });
    expect(classify(fixture('ui-home.xml'))).toEqual({ kind: 'elsewhere' });
  });

  test('what people write (previews in the chat list) never reads as a dialog', () => {
    const xml = fixture('ui-whatsapp-chats.xml').replace('Thanks, got it!', "Bob isn't on WhatsApp");
    expect(classify(xml)).toEqual({ kind: 'whatsapp' });
  });

  test('takes patterns for a language it does not know yet', () => {
    const xml = fixture('ui-not-on-whatsapp-en.xml').replace(
      "+7 916 000-00-00 isn't on WhatsApp.",
      '+7 916 000-00-00 non è su WhatsApp.',
    );
    expect(classify(xml).kind).toBe('whatsapp');
    const italian = screenPatterns({
      notOnWhatsApp: [...defaultScreenPatterns.notOnWhatsApp, /non è su WhatsApp/i],
    });
    expect(classify(xml, italian).kind).toBe('not-on-whatsapp');
  });

  test('reads WhatsApp Business by its own package', () => {
    const xml = fixture('ui-chat-sent.xml').replaceAll('com.whatsapp', 'com.whatsapp.w4b');
    expect(classifyScreen(parseUiDump(xml), 'com.whatsapp.w4b').kind).toBe('chat');
    expect(classifyScreen(parseUiDump(xml), 'com.whatsapp').kind).toBe('elsewhere');
  });
});
