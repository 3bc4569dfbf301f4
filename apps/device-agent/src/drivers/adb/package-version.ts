/** An installed app's version from `dumpsys package <name>` (`versionName=2.24.25.78`). */
export function parseVersionName(dumpsysPackage: string): string | undefined {
  return /^\s*versionName=(\S+)/m.exec(dumpsysPackage)?.[1];
}
