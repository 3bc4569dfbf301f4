import { describe, expect, test } from 'vitest';
import { chooseLanguage, normalizeLanguage } from '../src/languages.js';
import { placeholderProblem, renderContent, renderLimits } from '../src/render.js';

describe('renderContent', () => {
  const body = 'Call {{1}} or visit {{2}}';

  test('fills numbered placeholders', () => {
    expect(renderContent({ body }, { '1': '+7 495', '2': 'https://x.test' })).toEqual({
      ok: true,
      text: 'Call +7 495 or visit https://x.test',
    });
  });

  test('sends header text, body, footer and buttons as one plain message', () => {
    const outcome = renderContent(
      {
        header: { format: 'text', text: 'Your order' },
        body: 'Order {{1}} is ready',
        footer: 'Reply STOP to opt out',
        buttons: [
          { type: 'url', text: 'Track', url: 'https://shop.test/t/1' },
          { type: 'phone', text: 'Call us', phoneNumber: '+74956460054' },
          { type: 'quick_reply', text: 'Thanks' },
        ],
      },
      { '1': 'A-17' },
    );
    expect(outcome).toEqual({
      ok: true,
      text: 'Your order\n\nOrder A-17 is ready\n\nReply STOP to opt out\n\nTrack: https://shop.test/t/1\nCall us: +74956460054\n[Thanks]',
    });
  });

  test('refuses a parameter count that does not match the template with 2308', () => {
    expect(renderContent({ body }, { '1': 'a' })).toMatchObject({ ok: false, errorCode: 2308 });
    expect(renderContent({ body }, { '1': 'a', '2': 'b', '3': 'c' })).toMatchObject({
      ok: false,
      errorCode: 2308,
    });
    expect(renderContent({ body }, { '1': 'a', '3': 'c' })).toMatchObject({ ok: false, errorCode: 2308 });
  });

  test('refuses a parameter over the limit with 2311, and one exactly at it renders', () => {
    const atLimit = 'я'.repeat(renderLimits.maxParamLength);
    expect(renderContent({ body }, { '1': atLimit, '2': 'b' })).toMatchObject({ ok: true });
    expect(renderContent({ body }, { '1': `${atLimit}я`, '2': 'b' })).toMatchObject({
      ok: false,
      errorCode: 2311,
    });
  });

  test('refuses parameters that make the body too long with 2311', () => {
    const many = 'x'.repeat(renderLimits.maxParamLength);
    const long = { body: '{{1}}{{2}}{{3}}{{4}}{{5}}' };
    const params = Object.fromEntries(['1', '2', '3', '4', '5'].map((n) => [n, many]));
    expect(renderContent(long, params)).toMatchObject({ ok: false, errorCode: 2311 });
  });
});

test('placeholders must run from {{1}} without gaps', () => {
  expect(placeholderProblem('Hi {{1}}, {{2}} and {{1}} again')).toBeUndefined();
  expect(placeholderProblem('no placeholders')).toBeUndefined();
  expect(placeholderProblem('Hi {{2}}')).toMatch(/\{\{2\}\} has no \{\{1\}\}/);
  expect(placeholderProblem('{{1}} {{3}}')).toMatch(/\{\{3\}\} has no \{\{2\}\}/);
});

describe('language choice', () => {
  const available = new Set(['pt', 'en_US', 'ru']);

  test('names one version however it is written', () => {
    expect(normalizeLanguage('PT-br')).toBe('pt_BR');
    expect(normalizeLanguage('zh-hant')).toBe('zh_Hant');
    expect(normalizeLanguage('EN')).toBe('en');
  });

  test('takes the exact locale, then its base language', () => {
    expect(chooseLanguage('ru', 'en_US', available)).toEqual({ found: true, languageCode: 'ru' });
    expect(chooseLanguage('pt_BR', 'en_US', available)).toEqual({ found: true, languageCode: 'pt' });
    expect(chooseLanguage('', 'en_US', available)).toEqual({ found: true, languageCode: 'en_US' });
  });

  test('answers 2310 when the language exists only in another locale, 2309 when not at all', () => {
    expect(chooseLanguage('en_GB', 'ru', available)).toMatchObject({ found: false, errorCode: 2310 });
    expect(chooseLanguage('en', 'ru', available)).toMatchObject({ found: false, errorCode: 2310 });
    expect(chooseLanguage('de', 'ru', available)).toMatchObject({ found: false, errorCode: 2309 });
  });
});
