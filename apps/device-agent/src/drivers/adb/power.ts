/**
 * Whether the screen is on, from `dumpsys power`: `mWakefulness=Awake` (Android 12+ may say
 * `mWakefulnessRaw=Awake`); `Asleep`, `Dozing` and `Dreaming` are off for our purpose, since
 * a dream or the always-on display hides the app. Undefined when the output says neither.
 */
export function parseScreenOn(dumpsysPower: string): boolean | undefined {
  const wakefulness = /^\s*mWakefulness(?:Raw)?=(\w+)/m.exec(dumpsysPower)?.[1];
  if (wakefulness !== undefined) return wakefulness === 'Awake';
  const display = /^\s*Display Power: state=(\w+)/m.exec(dumpsysPower)?.[1];
  return display === undefined ? undefined : display === 'ON';
}
