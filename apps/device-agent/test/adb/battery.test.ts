import { describe, expect, test } from 'vitest';
import { parseBatteryPercent } from '../../src/drivers/adb/battery.js';
import { fixture } from '../support/fixtures.js';

describe('parseBatteryPercent', () => {
  test('reads the level out of its scale', () => {
    expect(parseBatteryPercent(fixture('dumpsys-battery.txt'))).toBe(87);
    expect(parseBatteryPercent('  level: 3\n  scale: 4\n')).toBe(75);
    expect(parseBatteryPercent('  level: 50\n')).toBe(50);
  });

  test('reads nothing from output without a level', () => {
    expect(parseBatteryPercent("Can't find service: battery\n")).toBeUndefined();
  });
});
