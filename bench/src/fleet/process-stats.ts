import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { procCpuSeconds } from '../cpu.js';

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

/**
 * CPU seconds used so far by the PostgreSQL backends serving the fleet process (found by their
 * application name). Backends come and go with the pool: each one's time is added as it grows,
 * and a backend first seen counts from its start (it was opened during the run).
 */
export function postgresCpuMeter(db: Kysely<unknown>) {
  const lastSeen = new Map<number, number>();
  let total = 0;
  return async function postgresCpuSeconds(): Promise<number | null> {
    const { rows } = await sql<{ pid: number }>`
      select pid from pg_stat_activity where application_name = ${FLEET_APPLICATION_NAME}`.execute(db);
    for (const { pid } of rows) {
      const seconds = procCpuSeconds(pid);
      if (seconds === null) continue;
      total += seconds - (lastSeen.get(pid) ?? 0);
      lastSeen.set(pid, seconds);
    }
    return rows.length === 0 && lastSeen.size === 0 ? null : total;
  };
}
