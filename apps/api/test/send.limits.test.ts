import { describe, expect, test } from 'vitest';
import { limits } from '../src/validation/limits.js';
import { mediaKinds } from '@wagate/contracts';
import { normalisePhoneNumber } from '../src/validation/phone-number.js';
import { validateMessage } from '../src/validation/validate-message.js';

/** The limits wagate chose where the contract names none, each tested on both sides of its edge. */

const base = { from: 'MyCompany', to: '79034567890', text: 'hi' };

function reasonsOf(message: Record<string, unknown>) {
  const validation = validateMessage(message, 0);
  return validation.ok ? [] : validation.reasons;
}

describe('text', () => {
  test(`up to ${limits.maxTextLength} characters is accepted, one more is length.too.long`, () => {
    expect(reasonsOf({ ...base, text: 'a'.repeat(4096) })).toEqual([]);
    expect(reasonsOf({ ...base, text: 'a'.repeat(4097) })).toEqual([
      { key: 'length.too.long', ref: 'messages[0].text' },
    ]);
  });

  test('characters are Unicode code points: 4096 emoji fit', () => {
    expect(reasonsOf({ ...base, text: '😀'.repeat(4096) })).toEqual([]);
    expect(reasonsOf({ ...base, text: '😀'.repeat(4097) })).toEqual([
      { key: 'length.too.long', ref: 'messages[0].text' },
    ]);
  });

  test('text that storage cannot hold (NUL, a lone surrogate) is invalid', () => {
    expect(reasonsOf({ ...base, text: 'a\u0000b' })).toEqual([{ key: 'invalid', ref: 'messages[0].text' }]);
    expect(reasonsOf({ ...base, text: 'a\ud800b' })).toEqual([{ key: 'invalid', ref: 'messages[0].text' }]);
  });
});

describe('recipient', () => {
  test('15 digits after normalising is accepted, 16 is length.too.long', () => {
    expect(normalisePhoneNumber('+43 123 456 789 0123')).toEqual({ kind: 'ok', digits: '431234567890123' });
    expect(reasonsOf({ ...base, to: '+43 123 456 789 0123' })).toEqual([]);
    expect(reasonsOf({ ...base, to: '+49 3012 3456 7890 12' })).toEqual([
      { key: 'length.too.long', ref: 'messages[0].to' },
    ]);
  });

  test('formatting is removed: spaces, dashes, dots, parentheses and a leading +', () => {
    for (const written of ['79034567890', '+7 903 456-78-90', '+7 (903) 456.78.90', ' 7 903 4567890 ']) {
      expect(normalisePhoneNumber(written)).toEqual({ kind: 'ok', digits: '79034567890' });
    }
  });

  test('the Russian trunk form 89XXXXXXXXX is read as 79XXXXXXXXX, other 8… numbers stay international', () => {
    expect(normalisePhoneNumber('89034567890')).toEqual({ kind: 'ok', digits: '79034567890' });
    expect(normalisePhoneNumber('8 (903) 456-78-90')).toEqual({ kind: 'ok', digits: '79034567890' });
    // With a +, 89… is an international number, and no country code begins with 89.
    expect(normalisePhoneNumber('+89034567890').kind).toBe('invalid');
    // 84951234567 is a Vietnamese number, not Moscow written with the trunk prefix.
    expect(normalisePhoneNumber('84951234567')).toEqual({ kind: 'ok', digits: '84951234567' });
  });

  test('a number outside every numbering plan, letters, or too few digits is invalid', () => {
    for (const written of ['70000000000', '7903abc4567', '12345', '+', '++79034567890']) {
      expect(reasonsOf({ ...base, to: written }), written).toEqual([
        { key: 'invalid', ref: 'messages[0].to' },
      ]);
    }
  });

  test('an empty or blank recipient is missing', () => {
    expect(reasonsOf({ ...base, to: '' })).toEqual([{ key: 'must.be.not.null', ref: 'messages[0].to' }]);
    expect(reasonsOf({ ...base, to: '   ' })).toEqual([{ key: 'must.be.not.null', ref: 'messages[0].to' }]);
    expect(reasonsOf({ ...base, to: null })).toEqual([{ key: 'must.be.not.null', ref: 'messages[0].to' }]);
  });

  test('a number is carried on as digits only', () => {
    const validation = validateMessage({ ...base, to: '8 903 456-78-90' }, 0);
    expect(validation.ok && validation.message.recipient).toBe('79034567890');
  });
});

describe('languageCode', () => {
  test('2 to 8 characters of the form language[_-]region|script are accepted', () => {
    for (const code of ['ru', 'EN', 'fil', 'en_US', 'pt-BR', 'zh_Hant', 'es_419', 'fil_Latn']) {
      expect(reasonsOf({ ...base, templateId: 't', languageCode: code }), code).toEqual([]);
    }
  });

  test('1 character is length.too.short, 9 is length.too.long, a wrong form is invalid', () => {
    const ref = 'messages[0].languageCode';
    expect(reasonsOf({ ...base, languageCode: 'r' })).toEqual([{ key: 'length.too.short', ref }]);
    expect(reasonsOf({ ...base, languageCode: '' })).toEqual([{ key: 'length.too.short', ref }]);
    expect(reasonsOf({ ...base, languageCode: 'en_US_ABC' })).toEqual([{ key: 'length.too.long', ref }]);
    for (const code of ['english', 'e1', 'en_', 'en US', 'ru-R']) {
      expect(reasonsOf({ ...base, languageCode: code }), code).toEqual([{ key: 'invalid', ref }]);
    }
  });
});

describe('validity', () => {
  test(`${limits.minValiditySeconds} to ${limits.maxValiditySeconds} whole seconds are accepted, outside is invalid`, () => {
    const ref = 'messages[0].validity';
    expect(reasonsOf({ ...base, validity: 1 })).toEqual([]);
    expect(reasonsOf({ ...base, validity: 86_400 })).toEqual([]);
    for (const validity of [0, -1, 86_401, 1.5, '60', true]) {
      expect(reasonsOf({ ...base, validity }), String(validity)).toEqual([{ key: 'invalid', ref }]);
    }
  });

  test('validity is carried on in seconds', () => {
    const validation = validateMessage({ ...base, validity: 3600 }, 0);
    expect(validation.ok && validation.message.validitySeconds).toBe(3600);
  });
});

describe('media', () => {
  const media = { from: 'MyCompany', to: '79034567890', contentUrl: 'https://example.com/file' };

  test('every content type of the media table is accepted, with parameters and in any case', () => {
    for (const type of mediaKinds.flatMap((kind) => kind.types)) {
      expect(reasonsOf({ ...media, contentType: type }), type).toEqual([]);
      expect(reasonsOf({ ...media, contentType: `${type.toUpperCase()}; charset=x` }), type).toEqual([]);
    }
    expect(reasonsOf({ ...media, contentType: 'audio/ogg; codecs=opus' })).toEqual([]);
  });

  test('a type outside the table is invalid', () => {
    for (const type of ['application/x-msdownload', 'image/bmp', 'video/quicktime', 'text', '']) {
      expect(reasonsOf({ ...media, contentType: type }), type).toEqual([
        { key: 'invalid', ref: 'messages[0].contentType' },
      ]);
    }
  });

  test(`a content name of 1 to ${limits.maxContentNameLength} characters is accepted; empty is too short, longer too long`, () => {
    const ref = 'messages[0].contentName';
    expect(reasonsOf({ ...media, contentName: 'a' })).toEqual([]);
    expect(reasonsOf({ ...media, contentName: 'a'.repeat(255) })).toEqual([]);
    expect(reasonsOf({ ...media, contentName: '' })).toEqual([{ key: 'length.too.short', ref }]);
    expect(reasonsOf({ ...media, contentName: '   ' })).toEqual([{ key: 'length.too.short', ref }]);
    expect(reasonsOf({ ...media, contentName: 'a'.repeat(256) })).toEqual([{ key: 'length.too.long', ref }]);
  });

  test('a content type or name without a content URL is refused at contentUrl', () => {
    expect(reasonsOf({ ...base, contentType: 'image/png' })).toEqual([
      { key: 'invalid', ref: 'messages[0].contentUrl' },
    ]);
  });

  test('URLs are absolute http(s), at most 2048 characters', () => {
    const long = `https://example.com/${'a'.repeat(2048 - 'https://example.com/'.length)}`;
    expect(reasonsOf({ ...media, contentUrl: long })).toEqual([]);
    expect(reasonsOf({ ...media, contentUrl: `${long}a` })).toEqual([
      { key: 'invalid', ref: 'messages[0].contentUrl' },
    ]);
    expect(reasonsOf({ ...base, callbackUrl: `${long}a` })).toEqual([
      { key: 'invalid', ref: 'messages[0].callbackUrl' },
    ]);
    for (const url of ['/relative', 'mailto:a@b.c', 'https://', ' https://example.com']) {
      expect(reasonsOf({ ...base, callbackUrl: url }), url).toEqual([
        { key: 'invalid', ref: 'messages[0].callbackUrl' },
      ]);
    }
  });
});

describe('other fields', () => {
  test(`from takes up to ${limits.maxSenderLength} characters`, () => {
    expect(reasonsOf({ ...base, from: 'a'.repeat(64) })).toEqual([]);
    expect(reasonsOf({ ...base, from: 'a'.repeat(65) })).toEqual([
      { key: 'invalid', ref: 'messages[0].from' },
    ]);
  });

  test(`callbackData takes up to ${limits.maxCallbackDataLength} characters`, () => {
    expect(reasonsOf({ ...base, callbackData: 'a'.repeat(2048) })).toEqual([]);
    expect(reasonsOf({ ...base, callbackData: 'a'.repeat(2049) })).toEqual([
      { key: 'invalid', ref: 'messages[0].callbackData' },
    ]);
  });

  test('templateParams are an object of strings named with letters, digits or _', () => {
    const ref = 'messages[0].templateParams';
    expect(reasonsOf({ ...base, templateId: 't', templateParams: { '1': 'a', name_2: 'b' } })).toEqual([]);
    expect(reasonsOf({ ...base, templateId: 't', templateParams: { '1': 5 } })).toEqual([
      { key: 'invalid', ref },
    ]);
    expect(reasonsOf({ ...base, templateId: 't', templateParams: { 'a b': 'x' } })).toEqual([
      { key: 'invalid', ref },
    ]);
    expect(reasonsOf({ ...base, templateId: 't', templateParams: ['a'] })).toEqual([{ key: 'invalid', ref }]);
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`${i}`, 'x']));
    expect(reasonsOf({ ...base, templateId: 't', templateParams: many })).toEqual([{ key: 'invalid', ref }]);
  });

  test('null reads as absent, unknown fields are ignored', () => {
    expect(
      reasonsOf({ ...base, callbackUrl: null, validity: null, contentUrl: null, extra: { any: 'thing' } }),
    ).toEqual([]);
  });

  test('all failures of a message are reported together', () => {
    expect(reasonsOf({ to: '1', text: 'a'.repeat(5000), validity: -5 })).toEqual([
      { key: 'must.be.not.null', ref: 'messages[0].from' },
      { key: 'invalid', ref: 'messages[0].to' },
      { key: 'length.too.long', ref: 'messages[0].text' },
      { key: 'invalid', ref: 'messages[0].validity' },
    ]);
  });
});
