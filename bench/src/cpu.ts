/**
 * CPU time of the target process and of this one (the load generator) over a measured run:
 * a process near 100 % of one core is bound by its own event loop, one well below it is
 * waiting on something else (a database server, the network, the other process).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second for /proc/<pid>/stat; 100 on every mainstream Linux build. */
const CLOCK_TICKS = 100;

export interface CpuSample {
  atMs: number;
  targetSeconds: number | null;
  generatorSeconds: number;
}

export interface CpuShare {
  /**
   * Percent of one core, of the target process and the processes it started (a target that
   * runs the services as processes of their own); above 100 when GC or worker threads run in
   * parallel, or several processes do. Null off Linux.
   */
  targetPercent: number | null;
  generatorPercent: number;
}

export function sampleCpu(targetPid: number | undefined): CpuSample {
  const own = process.cpuUsage();
  return {
    atMs: performance.now(),
    targetSeconds: targetPid === undefined ? null : processTreeCpuSeconds(targetPid),
    generatorSeconds: (own.user + own.system) / 1e6,
  };
}

export function cpuShare(before: CpuSample, after: CpuSample): CpuShare {
  const wall = (after.atMs - before.atMs) / 1000;
  const percent = (seconds: number) => (wall > 0 ? (100 * seconds) / wall : 0);
  return {
    targetPercent:
      before.targetSeconds === null || after.targetSeconds === null
        ? null
        : percent(after.targetSeconds - before.targetSeconds),
    generatorPercent: percent(after.generatorSeconds - before.generatorSeconds),
  };
}

/** utime + stime of every thread of `pid`, or null where /proc is not available (or it has exited). */
export function procCpuSeconds(pid: number): number | null {
  return procStat(pid)?.cpuSeconds ?? null;
}

/**
 * `procCpuSeconds` of `pid` and of every process below it (children, their children): a target
 * that runs each service as a process of its own counts them all. Null when `pid` is gone.
 */
export function processTreeCpuSeconds(pid: number): number | null {
  const own = procCpuSeconds(pid);
  if (own === null) return null;
  // One read of every process's stat: its parent and its CPU.
  const childrenOf = new Map<number, Array<{ pid: number; cpuSeconds: number }>>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (!stat) continue;
    const siblings = childrenOf.get(stat.parentPid);
    const child = { pid: Number(entry), cpuSeconds: stat.cpuSeconds };
    if (siblings) siblings.push(child);
    else childrenOf.set(stat.parentPid, [child]);
  }
  let seconds = own;
  const below = [...(childrenOf.get(pid) ?? [])];
  for (let child = below.pop(); child; child = below.pop()) {
    seconds += child.cpuSeconds;
    below.push(...(childrenOf.get(child.pid) ?? []));
  }
  return seconds;
}

/** A process's parent and CPU seconds from /proc/<pid>/stat, or null (gone, or no /proc). */
function procStat(pid: number): { parentPid: number; cpuSeconds: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) may contain spaces and parentheses: split after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: ppid is field 4 overall (index 1), utime and stime 14 and 15 (11, 12).
    return {
      parentPid: Number(fields[1]),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
    };
  } catch {
    return null;
  }
}
