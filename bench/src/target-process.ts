/**
 * The parent side of the target protocol (the child side is target-child.ts): each target runs
 * in its own process so the load generator never shares its event loop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { isReadyLine, type ReadyLine } from './target-child.js';

/** The gateway migrates its schemas and tsx compiles on the fly: startup takes seconds, not minutes. */
const READY_TIMEOUT_MS = 60_000;
/** After SIGTERM a target gets this long to close its database and bus before SIGKILL. */
const STOP_GRACE_MS = 10_000;
/** Lines of child output kept to explain a failure; the rest is discarded (logs can be chatty). */
const TAIL_LINES = 40;

export interface TargetProcess extends ReadyLine {
  readonly name: string;
  readonly pid: number | undefined;
  /** SIGTERM, then SIGKILL after the grace period. Idempotent; never rejects. */
  stop(): Promise<void>;
}

/** Every target not yet stopped, so a signal to the runner can still stop them all. */
const live = new Set<TargetProcess>();

/** Spawns `bench/src/targets/<name>.ts` from `repoRoot` and waits for its ready line. */
export async function startTarget(name: string, repoRoot: string): Promise<TargetProcess> {
  const child = spawn(
    process.execPath,
    [...profileFlags(name), '--import', 'tsx', `bench/src/targets/${name}.ts`],
    {
      cwd: repoRoot,
      // stdin stays an open pipe: the child treats its EOF as "the parent is gone".
      stdio: ['pipe', 'pipe', 'pipe'],
      env: process.env,
    },
  );
  const tail: string[] = [];
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  createInterface({ input: child.stderr! }).on('line', remember);
  const lines = createInterface({ input: child.stdout! });

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= terminate(child, exited).finally(() => live.delete(target));
    return stopped;
  };
  let target!: TargetProcess;

  try {
    const ready = await new Promise<ReadyLine>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`not ready within ${READY_TIMEOUT_MS / 1000} s`)),
        READY_TIMEOUT_MS,
      );
      // The listener stays after ready: it keeps draining stdout (on Linux a pipe write blocks
      // the child when full) while only the cheap `remember` runs during measurement.
      let ready = false;
      lines.on('line', (line) => {
        remember(line);
        if (ready) return;
        const parsed = parseJson(line);
        if (isReadyLine(parsed)) {
          ready = true;
          clearTimeout(timer);
          resolve(parsed);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`exited before ready (${signal ?? `code ${code}`})`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    target = { name, pid: child.pid, ...ready, stop };
    live.add(target);
    return target;
  } catch (error) {
    await terminate(child, exited);
    throw new Error(`target ${name}: ${(error as Error).message}\n--- last output ---\n${tail.join('\n')}`);
  }
}

/** Stops every target still running (for the runner's signal handler). */
export async function stopAllTargets(): Promise<void> {
  await Promise.all([...live].map((target) => target.stop()));
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'grace-over'>((resolve) => {
    timer = setTimeout(() => resolve('grace-over'), STOP_GRACE_MS);
  });
  const outcome = await Promise.race([exited, graceOver]);
  clearTimeout(timer);
  if (outcome === 'grace-over') {
    process.stderr.write(
      `target pid ${child.pid} still running ${STOP_GRACE_MS / 1000} s after SIGTERM: SIGKILL\n`,
    );
    child.kill('SIGKILL');
    await exited;
  }
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * `BENCH_PROFILE_DIR=dir BENCH_PROFILE_TARGETS=fleet-service,fleet-agents`: those targets run
 * under `node --cpu-prof`, one `.cpuprofile` each in `dir`, written when the target exits.
 */
function profileFlags(name: string): string[] {
  const directory = process.env.BENCH_PROFILE_DIR;
  const names = (process.env.BENCH_PROFILE_TARGETS ?? '').split(',').map((entry) => entry.trim());
  if (!directory || !names.includes(name)) return [];
  return [
    '--cpu-prof',
    '--cpu-prof-interval',
    '10000',
    '--cpu-prof-dir',
    directory,
    '--cpu-prof-name',
    `${name}-${Date.now()}.cpuprofile`,
  ];
}
