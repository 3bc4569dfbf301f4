import { describe, expect, test } from 'vitest';
import { parseWhatsAppNotification, type RawNotification } from '../../src/index.js';

// Notification texts as WhatsApp shows them (written from how the app presents them, not
// captured from a phone): contact names, formatted numbers wrapped in direction marks,
// counts in titles, inbox-style lines, group titles, media placeholders.
const messages: Array<[string, RawNotification, Array<Record<string, string>>]> = [
  [
    'a contact writes',
    { title: 'Anna', text: 'Hi! Are you open today?' },
    [{ sender: 'Anna', from: '', text: 'Hi! Are you open today?' }],
  ],
  [
    'someone not in contacts: the title is their number',
    { title: '\u202a+7 916 123-45-67\u202c', text: 'Здравствуйте, заказ готов?' },
    [{ sender: '+7 916 123-45-67', from: '79161234567', text: 'Здравствуйте, заказ готов?' }],
  ],
  [
    "a chat's count in its title is not part of the name",
    { title: 'Anna (3 messages)', text: 'See you at 5' },
    [{ sender: 'Anna', from: '', text: 'See you at 5' }],
  ],
  [
    'the Russian count too',
    { title: 'Анна (2 сообщения)', text: 'Спасибо' },
    [{ sender: 'Анна', text: 'Спасибо' }],
  ],
  [
    "one chat's several messages as lines",
    { title: 'Anna (2 messages)', text: 'second', lines: ['first', 'second'] },
    [
      { sender: 'Anna', text: 'first' },
      { sender: 'Anna', text: 'second' },
    ],
  ],
  [
    'grouped chats: "Sender: text" lines under the app title',
    {
      title: 'WhatsApp',
      text: '3 messages from 2 chats',
      lines: ['Anna: Hi', '\u202a+44 7700 900123\u202c: Is it in stock?', 'Anna: Hello?'],
    },
    [
      { sender: 'Anna', text: 'Hi' },
      { sender: '+44 7700 900123', from: '447700900123', text: 'Is it in stock?' },
      { sender: 'Anna', text: 'Hello?' },
    ],
  ],
  [
    'grouped chats sent as one multi-line text',
    { title: 'WhatsApp', text: '2 new messages\nAnna: Hi\nBoris: Ok' },
    [
      { sender: 'Anna', text: 'Hi' },
      { sender: 'Boris', text: 'Ok' },
    ],
  ],
  [
    'a group chat: "Sender @ Group"',
    { title: 'Boris @ Family', text: 'Dinner at 8' },
    [{ sender: 'Boris', group: 'Family', text: 'Dinner at 8' }],
  ],
  [
    'a group line among grouped chats',
    { title: 'WhatsApp', lines: ['~ Kate @ Book club: Chapter 3 tonight', 'Anna: hi'] },
    [
      { sender: 'Kate', group: 'Book club', text: 'Chapter 3 tonight' },
      { sender: 'Anna', text: 'hi' },
    ],
  ],
  [
    'lines under a service text: the lines still count, a call among them does not',
    { title: 'WhatsApp', text: 'Checking for new messages', lines: ['Anna: hi', 'Boris: Missed voice call'] },
    [{ sender: 'Anna', text: 'hi' }],
  ],
  ['a photo', { title: 'Anna', text: '📷 Photo' }, [{ sender: 'Anna', text: '📷 Photo', media: 'photo' }]],
  [
    'a photo with a caption',
    { title: 'Anna', text: '📷 Look at this view' },
    [{ text: '📷 Look at this view', media: 'photo' }],
  ],
  [
    'a voice message in Russian',
    { title: 'Анна', text: '🎤 Голосовое сообщение (0:07)' },
    [{ media: 'voice' }],
  ],
  ['a document', { title: 'Anna', text: '📄 invoice-42.pdf' }, [{ media: 'document' }]],
  [
    'one text body: "Sender: text"',
    { text: 'Anna: Hi: are you there?' },
    [{ sender: 'Anna', text: 'Hi: are you there?' }],
  ],
  [
    'one text body: the title on the first line',
    { text: '+7 916 123-45-67\nline one\nline two' },
    [{ from: '79161234567', text: 'line one\nline two' }],
  ],
  [
    'a message that only mentions a call is still a message',
    { title: 'Anna', text: "Let's do a video call tomorrow" },
    [{ text: "Let's do a video call tomorrow" }],
  ],
  [
    'WhatsApp Business is WhatsApp too',
    { title: 'Anna', text: 'Hi', packageName: 'com.whatsapp.w4b' },
    [{ sender: 'Anna', text: 'Hi' }],
  ],
];

const ignored: Array<[string, RawNotification, RegExp]> = [
  [
    'another app',
    { title: 'Anna', text: 'Hi', packageName: 'org.telegram.messenger' },
    /not a WhatsApp notification/,
  ],
  ['the summary of grouped chats', { title: 'WhatsApp', text: '5 messages from 3 chats' }, /summary/],
  ['a bare count', { title: 'Anna', text: '4 new messages' }, /summary/],
  ['a Russian summary', { title: 'WhatsApp', text: '5 сообщений из 3 чатов' }, /summary/],
  ['an incoming call', { title: 'Anna', text: 'Incoming voice call' }, /call/],
  ['a missed call', { title: 'Missed voice call', text: 'Anna' }, /call/],
  ['missed calls in Russian', { title: 'Анна', text: 'Пропущенный аудиозвонок' }, /call/],
  ['WhatsApp Web', { title: 'WhatsApp', text: 'WhatsApp Web is currently active' }, /service/],
  ['checking for messages', { title: 'WhatsApp', text: 'Checking for new messages' }, /service/],
  ['a backup', { title: 'WhatsApp', text: 'Backing up messages' }, /service/],
  ['a deleted message', { title: 'Anna', text: 'This message was deleted' }, /deleted/],
  ['a reaction', { title: 'Anna', text: 'Reacted 👍 to: "Hi"' }, /reaction/],
  ['nothing but a title', { title: 'Anna' }, /no text/],
  ['a body without a sender', { text: 'hello' }, /no sender/],
];

describe('WhatsApp notification parser', () => {
  test.each(messages)('reads %s', (_name, raw, expected) => {
    const parsed = parseWhatsAppNotification(raw);
    expect(parsed.kind).toBe('messages');
    if (parsed.kind !== 'messages') return;
    expect(parsed.messages).toEqual(expected.map((fields) => expect.objectContaining(fields)));
  });

  test('a direct message has no group and no media unless it is one', () => {
    expect(parseWhatsAppNotification({ title: 'Anna', text: 'Hi' })).toEqual({
      kind: 'messages',
      messages: [{ sender: 'Anna', from: '', text: 'Hi' }],
    });
  });

  test.each(ignored)('ignores %s', (_name, raw, reason) => {
    const parsed = parseWhatsAppNotification(raw);
    expect(parsed).toMatchObject({ kind: 'ignored' });
    if (parsed.kind === 'ignored') expect(parsed.reason).toMatch(reason);
  });
});
