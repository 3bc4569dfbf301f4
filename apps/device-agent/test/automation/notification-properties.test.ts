import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseWhatsAppNotification } from '../../src/index.js';
import { InboundMemory } from '../../src/drivers/automation/inbound-memory.js';

const anyText = fc.string({ unit: 'grapheme', maxLength: 200 });
const name = fc.stringMatching(/^[A-Z][a-z]{1,12}(?: [A-Z][a-z]{1,12})?$/);
/** Plain words, none of which starts a call, service or summary text. */
const plainText = fc.stringMatching(/^[a-z]{2,10}(?: [a-z]{1,10}){0,8}[.!?]?$/).filter((t) => !/^\d/.test(t));

describe('WhatsApp notification parser: properties', () => {
  test('never throws, and every message it finds has a sender and a text', () => {
    fc.assert(
      fc.property(
        fc.record(
          { title: anyText, text: anyText, lines: fc.array(anyText, { maxLength: 5 }), packageName: anyText },
          { requiredKeys: [] },
        ),
        (raw) => {
          const parsed = parseWhatsAppNotification(raw);
          if (parsed.kind === 'messages') {
            for (const message of parsed.messages) {
              expect(message.sender).not.toBe('');
              expect(message.text).not.toBe('');
            }
          } else {
            expect(parsed.reason).not.toBe('');
          }
        },
      ),
    );
  });

  test("a contact's message comes back as exactly that message", () => {
    fc.assert(
      fc.property(name, plainText, (sender, text) => {
        expect(parseWhatsAppNotification({ title: sender, text })).toEqual({
          kind: 'messages',
          messages: [{ sender, from: '', text }],
        });
        // The same, sent as one body.
        expect(parseWhatsAppNotification({ text: `${sender}: ${text}` })).toEqual({
          kind: 'messages',
          messages: [{ sender, from: '', text }],
        });
      }),
    );
  });

  test('grouped lines give one message per line, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, plainText), { minLength: 1, maxLength: 6 }), (chats) => {
        const parsed = parseWhatsAppNotification({
          title: 'WhatsApp',
          text: `${chats.length} messages`,
          lines: chats.map(([sender, text]) => `${sender}: ${text}`),
        });
        expect(parsed).toEqual({
          kind: 'messages',
          messages: chats.map(([sender, text]) => ({ sender, from: '', text })),
        });
      }),
    );
  });
});

describe('inbound keys: properties', () => {
  const message = fc.record({ sender: name, from: fc.constant(''), text: plainText });
  const postedAt = fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 });

  test('the same message in the same minute has the same key on any agent; another phone gets another', () => {
    fc.assert(
      fc.property(message, postedAt, fc.integer({ min: 0, max: 59_999 }), (notified, at, later) => {
        const minute = at - (at % 60_000);
        const first = new InboundMemory('pixel-1').admit(notified, minute, at);
        const restarted = new InboundMemory('pixel-1').admit(notified, minute + later, at);
        const otherPhone = new InboundMemory('pixel-2').admit(notified, minute, at);
        expect(first).toMatch(/^auto:[\da-f]{32}$/);
        expect(restarted).toBe(first);
        expect(otherPhone).not.toBe(first);
      }),
    );
  });

  test('a message seen again within the window is a repeat however late it is posted; after the window it is new', () => {
    fc.assert(
      fc.property(message, postedAt, fc.integer({ min: 0, max: 15 * 60_000 }), (notified, at, after) => {
        const memory = new InboundMemory('pixel-1');
        expect(memory.admit(notified, at, at)).toBeDefined();
        expect(memory.admit(notified, at + after, at + after)).toBeUndefined();
        expect(memory.admit(notified, at, at + after + 15 * 60_000 + 1)).toBeDefined();
      }),
    );
  });
});
