import { describe, expect, test } from 'vitest';
import { parseFreeBytes } from '../../src/drivers/adb/storage.js';
import { fixture } from '../support/fixtures.js';

describe('parseFreeBytes', () => {
  test("reads toybox's available 1K blocks", () => {
    expect(parseFreeBytes(fixture('df-data.txt'))).toBe(2_793_264 * 1024);
  });

  test('picks the row of the mount asked for', () => {
    const df = [
      'Filesystem      1K-blocks    Used Available Use% Mounted on',
      '/dev/block/dm-0   1000000  900000    100000  90% /',
      '/dev/block/dm-8   5772636 2961988   2793264  52% /data',
    ].join('\n');
    expect(parseFreeBytes(df, '/data')).toBe(2_793_264 * 1024);
    expect(parseFreeBytes(df, '/')).toBe(100_000 * 1024);
  });

  test("reads the old toolbox's sizes with units", () => {
    const df =
      'Filesystem               Size     Used     Free   Blksize\n/data                    5.7G     2.8G     2.5G   4096\n';
    expect(parseFreeBytes(df)).toBe(Math.round(2.5 * 1024 ** 3));
  });

  test('reads nothing from an error', () => {
    expect(parseFreeBytes('df: /data: Permission denied\n')).toBeUndefined();
    expect(parseFreeBytes('')).toBeUndefined();
  });
});
