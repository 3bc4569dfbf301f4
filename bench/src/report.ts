/** Turns load results into rows, prints them as a table and records them with the conditions. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { CpuShare } from './cpu.js';
import type { LoadResult } from './load.js';
import type { DeviceLatency } from './device-latency.js';
import type { ServiceCpu } from './service-cpu.js';
import { simDevices } from './targets/sim-devices.js';

export interface Row {
  target: string;
  messagesPerBody: number;
  requestsPerSecond: number;
  messagesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** 2xx responses in the timed window; fewer than `connections` means latency exceeded it. */
  completed: number;
  connections: number;
  /** CPU of the target process and of the load generator, in % of one core. */
  targetCpuPercent: number | null;
  generatorCpuPercent: number;
  /**
   * CPU milliseconds per accepted message across every process serving the target: the target
   * process (all services of a gateway target) plus its PostgreSQL backends, and the two apart.
   * Null off Linux.
   */
  cpuMsPerMessage: number | null;
  targetCpuMsPerMessage: number | null;
  postgresCpuMsPerMessage: number | null;
  /** A second run offered half the requests/s the full-load run reached: latency when busy, not saturated. */
  halfLoad: {
    offeredRequestsPerSecond: number;
    requestsPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    completed: number;
  };
  /** Targets with instant phones: acceptance to the device of the messages of the half-load run. */
  acceptToDevice: DeviceLatency | null;
  /** messages/s relative to bare-hono with the same body size; null when bare-hono did not run. */
  percentOfBareHono: number | null;
}

export interface Conditions {
  date: string;
  node: string;
  cpuModel: string;
  cpuCount: number;
  totalMemoryBytes: number;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews figures. */
  loadAverage: number[];
  gitCommit: string | null;
  secondsPerCase: number;
  /** Warm-up before a target's first case (the accept bench); `warmupSeconds` before the others. */
  firstWarmupSeconds?: number;
  warmupSeconds: number;
  connections: number;
  /** Simulated devices in the gateway targets (0: the accept path alone). */
  simDevices: number;
  /** BENCH_BEFORE: the checkout the `<target> before` rows ran from. */
  beforeTree?: string;
}

export const BASELINE = 'bare-hono';

/** Only 2xx responses count: a target that answers fast with errors has not accepted anything. */
export function toRow(
  target: string,
  messagesPerBody: number,
  load: LoadResult,
  cpu: CpuShare,
  serviceCpu: ServiceCpu | null,
  halfLoad: LoadResult & { offeredRequestsPerSecond: number },
  acceptToDevice: DeviceLatency | null = null,
): Omit<Row, 'percentOfBareHono'> {
  const requestsPerSecond = load.seconds > 0 ? load.requests2xx / load.seconds : 0;
  const accepted = load.requests2xx * messagesPerBody;
  const perMessage = (seconds: number | undefined) =>
    seconds === undefined || accepted === 0 ? null : (1000 * seconds) / accepted;
  return {
    target,
    messagesPerBody,
    requestsPerSecond,
    messagesPerSecond: requestsPerSecond * messagesPerBody,
    p50Ms: load.latencyP50Ms,
    p99Ms: load.latencyP99Ms,
    non2xx: load.non2xx,
    errors: load.errors,
    statusCodes: load.statusCodes,
    completed: load.requests2xx,
    connections: load.connections,
    targetCpuPercent: cpu.targetPercent,
    generatorCpuPercent: cpu.generatorPercent,
    cpuMsPerMessage: perMessage(
      serviceCpu ? serviceCpu.targetSeconds + serviceCpu.postgresSeconds : undefined,
    ),
    targetCpuMsPerMessage: perMessage(serviceCpu?.targetSeconds),
    postgresCpuMsPerMessage: perMessage(serviceCpu?.postgresSeconds),
    halfLoad: {
      offeredRequestsPerSecond: halfLoad.offeredRequestsPerSecond,
      requestsPerSecond: halfLoad.seconds > 0 ? halfLoad.requests2xx / halfLoad.seconds : 0,
      p50Ms: halfLoad.latencyP50Ms,
      p99Ms: halfLoad.latencyP99Ms,
      completed: halfLoad.requests2xx,
    },
    acceptToDevice,
  };
}

/** Adds each row's share of the bare-hono ceiling for the same body size. */
export function relativeToBaseline(rows: Array<Omit<Row, 'percentOfBareHono'>>): Row[] {
  return rows.map((row) => {
    const baseline = rows.find((r) => r.target === BASELINE && r.messagesPerBody === row.messagesPerBody);
    const percent =
      baseline && baseline.messagesPerSecond > 0
        ? (100 * row.messagesPerSecond) / baseline.messagesPerSecond
        : null;
    return { ...row, percentOfBareHono: percent };
  });
}

export function conditions(settings: {
  seconds: number;
  firstWarmupSeconds?: number;
  warmupSeconds: number;
  connections: number;
  beforeTree?: string | undefined;
}): Conditions {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus.length,
    totalMemoryBytes: os.totalmem(),
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    gitCommit: gitCommit(),
    secondsPerCase: settings.seconds,
    ...(settings.firstWarmupSeconds !== undefined && { firstWarmupSeconds: settings.firstWarmupSeconds }),
    warmupSeconds: settings.warmupSeconds,
    connections: settings.connections,
    simDevices: simDevices(),
    ...(settings.beforeTree ? { beforeTree: settings.beforeTree } : {}),
  };
}

export function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null; // not a checkout, or no git: the results are still worth keeping
  }
}

export function formatTable(rows: Row[], failures: string[]): string {
  const header = [
    'target',
    'msgs/body',
    'requests/s',
    'messages/s',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'errors',
    '% of bare-hono',
    'target CPU',
    'loadgen CPU',
    'CPU ms/msg (pg)',
    '½ load p50/p99',
    'to device p50/p99',
  ];
  const body = rows.map((row) => [
    row.target,
    String(row.messagesPerBody),
    figure(row.requestsPerSecond),
    figure(row.messagesPerSecond),
    milliseconds(row.p50Ms, row.completed),
    milliseconds(row.p99Ms, row.completed),
    String(row.non2xx),
    String(row.errors),
    row.percentOfBareHono === null
      ? '—'
      : `${row.percentOfBareHono.toFixed(row.percentOfBareHono < 1 ? 2 : 1)} %`,
    row.targetCpuPercent === null ? '—' : `${row.targetCpuPercent.toFixed(0)} %`,
    `${row.generatorCpuPercent.toFixed(0)} %`,
    row.cpuMsPerMessage === null
      ? '—'
      : `${cpuMs(row.cpuMsPerMessage)} (${cpuMs(row.postgresCpuMsPerMessage ?? 0)})`,
    `${milliseconds(row.halfLoad.p50Ms, row.halfLoad.completed)} / ${milliseconds(row.halfLoad.p99Ms, row.halfLoad.completed)}`,
    row.acceptToDevice ? `${row.acceptToDevice.p50Ms ?? '—'} / ${row.acceptToDevice.p99Ms ?? '—'}` : '—',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...body.map((cells) => cells[i]!.length)));
  // Text left-aligned, figures right-aligned, so magnitudes line up.
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const lines = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  for (const row of rows) {
    if (row.completed < row.connections) {
      lines.push(
        `! ${row.target} × ${row.messagesPerBody}: only ${row.completed} responses for ${row.connections} connections: ` +
          'latency exceeds the window; use a longer BENCH_SECONDS or fewer BENCH_CONNECTIONS for this figure',
      );
    }
    if (row.non2xx > 0 || row.errors > 0) {
      lines.push(
        `! ${row.target} × ${row.messagesPerBody}: status codes ${JSON.stringify(row.statusCodes)}, ${row.errors} socket errors/timeouts`,
      );
    }
    const toDevice = row.acceptToDevice;
    if (toDevice && toDevice.sent < toDevice.accepted) {
      lines.push(
        `! ${row.target} × ${row.messagesPerBody}: only ${toDevice.sent} of ${toDevice.accepted} messages reached a phone in time; ` +
          'the acceptance-to-device figures are of those',
      );
    }
  }
  for (const failure of failures) lines.push(`! ${failure}`);
  return lines.join('\n');
}

/** CPU milliseconds per message: three significant digits at any magnitude. */
function cpuMs(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/** Two decimals below 10 (slow targets), none above. */
function figure(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(0);
}

/** autocannon records whole milliseconds: 0 means under one. No responses, no latency. */
function milliseconds(value: number, completed: number): string {
  if (completed === 0) return '—';
  return value === 0 ? '<1' : String(value);
}

/** Writes `<ISO timestamp>.json` and `latest.json`; returns the timestamped path. */
export function writeResults(
  directory: string,
  report: { conditions: Conditions; rows: Row[]; failures: string[] },
): string {
  mkdirSync(directory, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  // Colons are not allowed in Windows file names; the JSON keeps the exact ISO date.
  const file = join(directory, `${report.conditions.date.replaceAll(':', '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(join(directory, 'latest.json'), json);
  return file;
}
