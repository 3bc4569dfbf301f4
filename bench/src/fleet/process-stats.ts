import { readFileSync } from 'node:fs';

/** Resident memory of `pid` in bytes (VmRSS), or null where /proc is not available. */
export function residentBytes(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** What the fleet service names its database connections, so its PostgreSQL backends can be told apart. */
export const FLEET_APPLICATION_NAME = 'wagate-bench-fleet';
