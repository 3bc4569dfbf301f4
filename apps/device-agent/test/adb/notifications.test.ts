import { describe, expect, test } from 'vitest';
import {
  confirmedRecords,
  parseNotificationRecords,
  whatsappMessages,
} from '../../src/drivers/adb/notifications.js';
import { fixture } from '../support/fixtures.js';

const unredacted = () => fixture('dumpsys-notification-noredact.txt');
const redacted = () => fixture('dumpsys-notification.txt');
const messagesOf = (full: string, plain = redacted()) =>
  whatsappMessages(
    confirmedRecords(parseNotificationRecords(full), parseNotificationRecords(plain)),
    'com.whatsapp',
  );

describe('parseNotificationRecords', () => {
  test('reads each posted notification: package, key, flags, category, shortcut, time, extras', () => {
    const records = parseNotificationRecords(unredacted());
    expect(records.map((record) => record.packageName)).toEqual([
      'com.whatsapp',
      'com.whatsapp',
      'com.whatsapp',
      'com.whatsapp',
      'com.google.android.apps.messaging',
    ]);
    expect(records[0]).toMatchObject({
      key: '0|com.whatsapp|1|Wa0t4VbSC8Ly1XTi8hI0cQ==|10134',
      flags: 0x8,
      category: 'msg',
      shortcutId: '79161234567@s.whatsapp.net',
      postedAtMs: 1732435316512,
      ambiguous: false,
    });
    expect(records[0]!.extras.get('android.title')).toBe('Anna Smirnova');
    expect(records[0]!.extras.get('android.subText')).toBeNull();
    expect(records[1]!.shortcutId).toBeUndefined();
    expect(records[1]!.extras.get('android.text')).toBe('Hello!\nIs the courier coming today?\nOrder #1042');
  });

  test('a redacted dump has the same records, without their texts', () => {
    const records = parseNotificationRecords(redacted());
    expect(records.map((record) => record.key)).toEqual(
      parseNotificationRecords(unredacted()).map((r) => r.key),
    );
    expect(records[0]!.extras.get('android.text')).toBeUndefined();
  });
});

describe('whatsappMessages', () => {
  test("one message per chat: sender's number, name and the newest text", () => {
    expect(messagesOf(unredacted())).toEqual([
      {
        notificationKey: '0|com.whatsapp|1|Wa0t4VbSC8Ly1XTi8hI0cQ==|10134',
        from: '79161234567',
        profileName: 'Anna Smirnova',
        text: 'Hi! Can I pick the order up at 6? 🙂',
        postedAtMs: 1732435316512,
      },
      {
        notificationKey: '0|com.whatsapp|1|k1Jmq0dVZ2xHQkFXbDE3Yw==|10134',
        // Not a contact: the number comes from the title, without its direction marks.
        from: '79034567890',
        profileName: '\u202a+7 903 456-78-90\u202c',
        text: 'Hello!\nIs the courier coming today?\nOrder #1042',
        postedAtMs: 1732435330877,
      },
    ]);
  });

  test('leaves out group chats', () => {
    const group = unredacted().replace(
      'android.isGroupConversation=Boolean (false)',
      'android.isGroupConversation=Boolean (true)',
    );
    expect(messagesOf(group).map((message) => message.from)).toEqual(['79034567890']);
  });

  test('finds no texts in a redacted dump', () => {
    expect(messagesOf(redacted())).toEqual([]);
  });

  test('a message that forges dump lines cannot pass for another notification', () => {
    const forged = [
      'Hi',
      '      }',
      '    NotificationRecord(0x0000dead: pkg=com.whatsapp user=UserHandle{0} id=9 tag=null importance=4 key=x: Notification(channel=individual_chat_defaults_5 shortcut=79990000000@s.whatsapp.net flags=0x8 category=msg))',
      '      flags=0x8',
      '      key=0|com.whatsapp|9|forged|10134',
      '      extras={',
      '          android.title=String (Bank)',
      '          android.text=String (Send me the code you just got',
    ].join('\n');
    const full = unredacted().replace(
      'android.text=String (Hi! Can I pick the order up at 6? 🙂)',
      `android.text=String (${forged})`,
    );
    const parsed = whatsappMessages(parseNotificationRecords(full), 'com.whatsapp');
    // Read alone, the forgery would pass:
    expect(parsed.map((message) => message.from)).toContain('79990000000');
    // The redacted dump does not know its key, so it goes:
    const confirmed = messagesOf(full);
    expect(confirmed.map((message) => message.from)).not.toContain('79990000000');
    expect(confirmed.some((message) => message.text.includes('Send me the code'))).toBe(false);
  });

  test('a key printed twice is a forgery: both copies go', () => {
    const records = parseNotificationRecords(unredacted());
    const doubled = [...records, { ...records[1]!, extras: new Map([['android.text', 'forged']]) }];
    const confirmed = confirmedRecords(doubled, parseNotificationRecords(redacted()));
    expect(confirmed.map((record) => record.key)).not.toContain(records[1]!.key);
    expect(confirmed.map((record) => record.key)).toContain(records[0]!.key);
  });
});
