import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { planeEnvironmentFor } from './test-pki.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Lines of a service's output kept: every line of a test's services; the tail of a long bench run's. */
export const OUTPUT_LINES_KEPT = 20_000;

export interface ServiceProcess {
  readonly name: string;
  /** Its stdout and stderr lines: all of a test's, at least the latest `OUTPUT_LINES_KEPT` of a longer run's (a bench run may log for hours). */
  readonly output: string[];
  /** Resolves when a line of output matches `pattern`; rejects if the process exits first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code when the process ends by itself (or is stopped). */
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Sends a signal without waiting for an exit (SIGSTOP / SIGCONT freeze and thaw the process). */
  signal(signal: NodeJS.Signals): void;
  /** The OS process id. */
  readonly pid: number | undefined;
}

/** How a service process starts: from its TypeScript source (tsx), or from its bundle (`npm run build`). */
export type ServiceEntry = 'source' | 'bundle';

/** The node arguments that start `app` from `entry`; a missing bundle is a clear error. */
export function serviceArguments(app: string, entry: ServiceEntry): string[] {
  if (entry === 'source') return ['--import', 'tsx', `apps/${app}/src/main.ts`];
  const bundle = `apps/${app}/dist/main.js`;
  if (!existsSync(`${repoRoot}${bundle}`)) {
    throw new Error(`${bundle} is missing: run \`npm run build\` first (production starts from the bundle)`);
  }
  return ['--enable-source-maps', bundle];
}

/**
 * Starts one app as its own Node process from its TypeScript entry (`apps/<app>/src/main.ts`)
 * by default or from its bundle (`apps/<app>/dist/main.js`, as production does), the way the production runtime runs it (one process per service, TLS on both gRPC planes
 * from the test PKI unless `env` sets the planes itself), with output captured.
 */
export function startServiceProcess(
  app: string,
  env: Record<string, string>,
  entry: ServiceEntry = 'source',
): ServiceProcess {
  const output: string[] = [];
  const listeners = new Set<(line: string) => void>();
  // By line, not by chunk: a pipe's chunk may end in the middle of a line.
  const collect = (stream: Readable | null) =>
    stream &&
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
      if (line.trim() === '') return;
      output.push(line);
      // Dropped in batches, so keeping the tail costs no copy per line.
      if (output.length > 2 * OUTPUT_LINES_KEPT) output.splice(0, output.length - OUTPUT_LINES_KEPT);
      for (const listener of listeners) listener(line);
    });
  // The PKI is made (once) asynchronously; the child starts as soon as it is there.
  const started = planeEnvironmentFor(app, env).then((planes) => {
    const child: ChildProcess = spawn(process.execPath, serviceArguments(app, entry), {
      cwd: repoRoot,
      // ADMIN_PORT 0: concurrent test files never fight over the default admin ports.
      env: { ...process.env, LOG_LEVEL: 'info', ADMIN_PORT: '0', ...planes, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    collect(child.stdout);
    collect(child.stderr);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, exited };
  });
  const exited = started.then((process) => process.exited);

  let pid: number | undefined;
  void started.then(({ child }) => {
    pid = child.pid;
  });
  return {
    name: app,
    output,
    get pid() {
      return pid;
    },
    signal(signal) {
      void started.then(({ child }) => child.kill(signal));
    },
    exited,
    waitForOutput(pattern, timeoutMs = 60_000) {
      const seen = output.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`${app}: no output matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
        const listener = (line: string) => pattern.test(line) && finish(undefined, line);
        const finish = (error?: Error, line?: string) => {
          clearTimeout(timer);
          listeners.delete(listener);
          if (error) reject(new Error(`${error.message}\n--- ${app} output ---\n${output.slice(-40).join('\n')}`));
          else resolve(line!);
        };
        listeners.add(listener);
        void exited.then((code) => finish(new Error(`${app} exited with code ${code}`)));
      });
    },
    async stop(signal = 'SIGTERM') {
      const { child } = await started;
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(forced);
      return code;
    },
  };
}
