import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { shellCommand, shellQuote } from '../../src/drivers/adb/shell-quote.js';

const run = promisify(execFile);

const awkward = [
  'plain',
  '',
  "it's",
  'two words',
  '$HOME $\u007bPATH} $(id)',
  '`id`',
  '"double"',
  'line one\nline two',
  'tab\there',
  'emoji 🙂👍🏽',
  '* ? [a-z]',
  '~ #not-a-comment',
  '& ; | < > ( ) { }',
  "'",
  "''",
  '\\',
  '\\n',
  '--flag=with space',
  'https://api.whatsapp.com/send?phone=79161234567&text=Hi%20there%21',
];

describe('shellQuote', () => {
  test('a real POSIX shell splits the command back into exactly the arguments', async () => {
    const { stdout } = await run('sh', ['-c', `printf '%s\\000' ${shellCommand(awkward)}`]);
    expect(stdout.split('\0').slice(0, -1)).toEqual(awkward);
  });

  test('leaves words without special characters bare, so logs stay readable', () => {
    expect(shellCommand(['input', 'keyevent', 'KEYCODE_BACK'])).toBe('input keyevent KEYCODE_BACK');
    expect(shellQuote('/sdcard/wagate-ui.xml')).toBe('/sdcard/wagate-ui.xml');
    expect(shellQuote('com.whatsapp')).toBe('com.whatsapp');
  });

  test('quotes everything else, an empty argument included', () => {
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('a&b')).toBe("'a&b'");
  });

  test('refuses NUL, which no command line can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(RangeError);
  });
});
