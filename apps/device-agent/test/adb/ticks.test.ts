import { describe, expect, test } from 'vitest';
import { defaultTickLabels, lastOutgoingMessage } from '../../src/drivers/adb/ticks.js';
import { parseUiDump } from '../../src/drivers/adb/ui-dump.js';
import { fixture } from '../support/fixtures.js';

const newest = (xml: string, labels = defaultTickLabels) =>
  lastOutgoingMessage(parseUiDump(xml), 'com.whatsapp', labels);

describe('lastOutgoingMessage', () => {
  test('takes the lowest outgoing bubble, not an older one with more ticks', () => {
    expect(newest(fixture('ui-chat-ticks.xml'))).toEqual({
      text: 'Your order #1042 has been shipped',
      status: 'DELIVERED',
    });
  });

  test('reads the ticks in Russian', () => {
    expect(newest(fixture('ui-chat-ticks-ru.xml'))).toEqual({ text: 'Ждём вас до 21:00', status: 'READ' });
  });

  test('reads a message that just left as pending', () => {
    expect(newest(fixture('ui-chat-sent.xml').replace('{{text}}', 'Hello!'))).toEqual({
      text: 'Hello!',
      status: 'PENDING',
    });
  });

  test('finds nothing on a screen without outgoing messages', () => {
    expect(newest(fixture('ui-not-on-whatsapp-en.xml'))).toBeUndefined();
    expect(newest(fixture('ui-home.xml'))).toBeUndefined();
  });

  test('takes tick labels for another language', () => {
    const german = fixture('ui-chat-ticks.xml').replaceAll(
      'content-desc="Delivered"',
      'content-desc="Zugestellt"',
    );
    expect(newest(german)?.status).toBe('READ');
    expect(newest(german, { ...defaultTickLabels, zugestellt: 'DELIVERED' })?.status).toBe('DELIVERED');
  });
});
