import { describe, expect, test } from 'vitest';
import { parseVersionName } from '../../src/drivers/adb/package-version.js';
import { fixture } from '../support/fixtures.js';

describe('parseVersionName', () => {
  test("reads the installed app's version", () => {
    expect(parseVersionName(fixture('dumpsys-package-whatsapp.txt'))).toBe('2.24.25.78');
  });

  test('reads nothing when the app is not installed', () => {
    expect(parseVersionName('Activity Resolver Table:\n\nDexopt state:\n')).toBeUndefined();
  });
});
