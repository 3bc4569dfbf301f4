import { describe, expect, test } from 'vitest';
import { parseScreenOn } from '../../src/drivers/adb/power.js';
import { fixture } from '../support/fixtures.js';

describe('parseScreenOn', () => {
  test('awake is on, asleep is off', () => {
    expect(parseScreenOn(fixture('dumpsys-power-awake.txt'))).toBe(true);
    expect(parseScreenOn(fixture('dumpsys-power-asleep.txt'))).toBe(false);
  });

  test('dozing and dreaming are off: the app is not in front', () => {
    expect(parseScreenOn('  mWakefulness=Dozing\n')).toBe(false);
    expect(parseScreenOn('  mWakefulness=Dreaming\n')).toBe(false);
  });

  test('reads the newer name and the display state when wakefulness is missing', () => {
    expect(parseScreenOn('  mWakefulnessRaw=Awake\n')).toBe(true);
    expect(parseScreenOn('Display Power: state=ON\n')).toBe(true);
    expect(parseScreenOn('Display Power: state=OFF\n')).toBe(false);
    expect(parseScreenOn('nothing useful\n')).toBeUndefined();
  });
});
