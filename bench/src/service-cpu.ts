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
  /** CPU seconds of the target process (and the processes it started), null off Linux. */
  target: number | null;
  /** CPU seconds of the target's PostgreSQL backends so far (`postgresCpuMeter`), null without a database. */
  postgres: number | null;
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
  const postgres = databaseUrl ? await postgresCpuMeter(databaseUrl, 'database') : undefined;
  return {
    async sample() {
      return {
        target: targetPid === undefined ? null : processTreeCpuSeconds(targetPid),
        postgres: postgres ? await postgres.seconds() : null,
      };
    },
    async close() {
      await postgres?.close();
    },
  };
}

/** CPU spent between two samples; null off Linux. */
export function serviceCpuBetween(before: ServiceCpuSample, after: ServiceCpuSample): ServiceCpu | null {
  if (before.target === null || after.target === null) return null;
  return { targetSeconds: after.target - before.target, postgresSeconds: postgresCpuBetween(before, after) };
}

/** The database backends' part of `serviceCpuBetween`; alone, for a run without a target process (bench:billing). */
export function postgresCpuBetween(before: ServiceCpuSample, after: ServiceCpuSample): number {
  return (after.postgres ?? 0) - (before.postgres ?? 0);
}

/** Which backends serve what is measured: every one of the database but the meter's own, or those of one application name. */
export type BackendSelector = 'database' | { applicationName: string };

export interface PostgresCpuMeter {
  /** CPU seconds the selected backends have used since the meter first saw them. */
  seconds(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Adds up the CPU of a database's backends (from /proc, so the server must run on this
 * machine). Backends come and go with the pools: each one's time is added as it grows, so one
 * that exits keeps what it had used when last read; one first seen counts from its start (it
 * was opened during the run). Reading often (every sample) loses the least.
 */
export async function postgresCpuMeter(
  databaseUrl: string,
  selector: BackendSelector,
): Promise<PostgresCpuMeter> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const lastSeen = new Map<number, number>();
  let total = 0;
  return {
    async seconds() {
      // The meter's own connection is left out: it is the measurement, not the service.
      const { rows } =
        selector === 'database'
          ? await client.query<{ pid: number }>(
              'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
            )
          : await client.query<{ pid: number }>(
              'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
              [selector.applicationName],
            );
      for (const { pid } of rows) {
        const seconds = procCpuSeconds(pid);
        if (seconds === null) continue;
        total += seconds - (lastSeen.get(pid) ?? 0);
        lastSeen.set(pid, seconds);
      }
      return total;
    },
    async close() {
      await client.end();
    },
  };
}
