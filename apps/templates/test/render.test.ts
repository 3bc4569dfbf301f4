import { expect, test } from 'vitest';
import { renderBody } from '../src/render.js';

test('fills numbered placeholders', () => {
  expect(renderBody('Call {{1}} or visit {{2}}', { '1': '+7 495', '2': 'https://x.test' })).toEqual({
    ok: true,
    text: 'Call +7 495 or visit https://x.test',
  });
});

test('refuses a parameter count that does not match the template with 2308', () => {
  expect(renderBody('Hello {{1}}', {})).toMatchObject({ ok: false, errorCode: 2308 });
  expect(renderBody('Hello {{1}}', { '1': 'a', '2': 'b' })).toMatchObject({ ok: false, errorCode: 2308 });
});
