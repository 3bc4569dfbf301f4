/**
 * CPU time of every process that serves a target: the target process and the processes it
 * started (the services of most gateway targets run in the target process itself; those of
 * `postgres-nats-priced-processes` in processes of their own) and, for a PostgreSQL target, the database server's backend
 * processes connected to its database. Divided by the messages accepted, it is the CPU an
 * accepted message costs, a figure that depends far less on what else runs on the machine
 * than messages per second do. The NATS server is shared with every other run on the machine
 * and is left out (its share cannot be told apart).
 */
import pg from 'pg';
import { procCpuSeconds, processTreeCpuSeconds } from './cpu.js';

export interface ServiceCpuSample {
  /** CPU seconds of the target process, null off Linux. */
  target: number | null;
  /** CPU seconds of each PostgreSQL backend of the target's database, by pid. */
  backends: Map<number, number>;
}

export interface ServiceCpu {
  targetSeconds: number;
  postgresSeconds: number;
}

export interface ServiceCpuProbe {
  sample(): Promise<ServiceCpuSample>;
  close(): Promise<void>;
}

/** Reads the target's CPU and that of its database's backends (none without `databaseUrl`). */
export async function serviceCpuProbe(
  targetPid: number | undefined,
  databaseUrl?: string,
): Promise<ServiceCpuProbe> {
  const client = databaseUrl ? new pg.Client({ connectionString: databaseUrl }) : undefined;
  await client?.connect();
  return {
    async sample() {
      const backends = new Map<number, number>();
      if (client) {
        // Our own connection is left out: it is the measurement, not the service.
        const { rows } = await client.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        for (const { pid } of rows) {
          const seconds = procCpuSeconds(pid);
          if (seconds !== null) backends.set(pid, seconds);
        }
      }
      return { target: targetPid === undefined ? null : processTreeCpuSeconds(targetPid), backends };
    },
    async close() {
      await client?.end();
    },
  };
}

/**
 * CPU spent between two samples. A backend that appeared meanwhile counts in full (it started
 * during the run); one that exited meanwhile is lost (pools keep their connections under load).
 */
export function serviceCpuBetween(before: ServiceCpuSample, after: ServiceCpuSample): ServiceCpu | null {
  if (before.target === null || after.target === null) return null;
  return { targetSeconds: after.target - before.target, postgresSeconds: postgresCpuBetween(before, after) };
}

/** The database backends' part of `serviceCpuBetween`, for a target that is not one process. */
export function postgresCpuBetween(before: ServiceCpuSample, after: ServiceCpuSample): number {
  let seconds = 0;
  for (const [pid, now] of after.backends) seconds += now - (before.backends.get(pid) ?? 0);
  return seconds;
}
