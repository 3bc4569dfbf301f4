/**
 * The charge in percent from `dumpsys battery` (`  level: 87` out of `  scale: 100`), or
 * undefined when the output has no level.
 */
export function parseBatteryPercent(dumpsysBattery: string): number | undefined {
  const level = field(dumpsysBattery, 'level');
  if (level === undefined) return undefined;
  const scale = field(dumpsysBattery, 'scale') || 100;
  return Math.max(0, Math.min(100, Math.round((level * 100) / scale)));
}

function field(text: string, name: string): number | undefined {
  const match = new RegExp(`^\\s*${name}: (\\d+)\\s*$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}
