import { describe, expect, test } from 'vitest';
import { chatLink } from '../../src/drivers/adb/chat-link.js';

describe('chatLink', () => {
  test('opens the chat by number, with the text for its input', () => {
    expect(chatLink('79161234567', 'Code: 1234')).toBe(
      'https://api.whatsapp.com/send?phone=79161234567&text=Code%3A%201234',
    );
    expect(chatLink('79161234567')).toBe('https://api.whatsapp.com/send?phone=79161234567');
  });

  test('carries any text intact, in characters no shell or URI parser reads differently', () => {
    const text = `Hi "Anna" & it's $HOME \`id\` (100%)!*\nsecond line\t🙂👍🏽 ünï ~#[]`;
    const link = chatLink('79161234567', text);
    expect(new URL(link).searchParams.get('text')).toBe(text);
    expect(link.slice(link.indexOf('&text=') + 6)).toMatch(/^[A-Za-z0-9_.~%-]+$/);
  });

  test('turns a lone surrogate into U+FFFD instead of failing', () => {
    expect(new URL(chatLink('79161234567', 'a\ud83db')).searchParams.get('text')).toBe('a\ufffdb');
  });

  test('takes digits only: WhatsApp wants no "+" and no spaces', () => {
    expect(() => chatLink('+79161234567', 'hi')).toThrow(/digits/);
    expect(() => chatLink('7916 123', 'hi')).toThrow(/digits/);
  });
});
