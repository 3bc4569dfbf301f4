import { describe, expect, test } from 'vitest';
import { decodeCursor, encodeCursor, InvalidCursorError, pageOf, pageSize } from '../src/index.js';

const anyKey = (key: readonly string[]): key is readonly string[] => true;
const oneDigitsKey = (key: readonly string[]): key is readonly [string] =>
  key.length === 1 && /^\d+$/.test(key[0]!);

describe('keyset cursors', () => {
  test('a cursor decodes to the key it was made from, whatever characters the key holds', () => {
    for (const key of [['118626985453813760'], ['Моя компания', 'snd_1'], ['a/b+c=d', '"quoted"']]) {
      const cursor = encodeCursor(key);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(cursor, anyKey)).toEqual(key);
    }
  });

  test('an empty cursor means the first page', () => {
    expect(decodeCursor('', anyKey)).toBeUndefined();
  });

  test.each([
    ['characters outside base64url', 'abc+/='],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['JSON that is not an array', Buffer.from('{"id":"1"}').toString('base64url')],
    ['an array with a non-string', Buffer.from('[1]').toString('base64url')],
    ['a key the list does not accept', encodeCursor(['abc'])],
  ])('%s is an InvalidCursorError telling what to do', (_, cursor) => {
    expect(() => decodeCursor(cursor, oneDigitsKey)).toThrow(InvalidCursorError);
    expect(() => decodeCursor(cursor, oneDigitsKey)).toThrow(/next_cursor/);
  });

  test('page size: 0 means 50, others are clamped into 1..100', () => {
    expect([0, 1, 50, 100, 101, 10_000, -3, 2.7, Number.NaN].map(pageSize)).toEqual([
      50, 1, 50, 100, 100, 100, 1, 2, 50,
    ]);
  });

  test('a page of limit + 1 rows has a cursor after its last row; a shorter one has none', () => {
    const rows = ['e', 'd', 'c', 'b'];
    const full = pageOf(rows, 3, (row) => [row]);
    expect(full.rows).toEqual(['e', 'd', 'c']);
    expect(decodeCursor(full.nextCursor, anyKey)).toEqual(['c']);
    expect(pageOf(rows, 4, (row) => [row])).toEqual({ rows, nextCursor: '' });
  });
});
