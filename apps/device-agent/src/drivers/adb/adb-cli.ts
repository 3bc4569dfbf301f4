import { execFile } from 'node:child_process';
import { shellCommand } from './shell-quote.js';

/** A failed adb command, with what was run and what adb or the device said. */
export class AdbError extends Error {
  override name = 'AdbError';

  constructor(
    message: string,
    /** The argv given to adb, the remote command last. */
    readonly command: readonly string[],
    readonly stderr: string,
    /** The exit code, when the command ran to an end. */
    readonly exitCode: number | undefined,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

export interface AdbCliOptions {
  /** The adb binary: a name looked up on PATH, or a path. */
  adbPath?: string;
  /** Per command; a hung device must not hang a send forever. */
  timeoutMs?: number;
}

export interface AdbCli {
  /**
   * Runs `args` on the device through its shell and resolves with its standard output.
   * Each argument is quoted for the remote shell, so the device sees exactly `args`.
   */
  shell(serial: string, args: readonly string[], options?: { timeoutMs?: number }): Promise<string>;
  /** Copies a file of this host to the device (`adb push`); a large file gets its own time limit. */
  push(
    serial: string,
    localPath: string,
    remotePath: string,
    options?: { timeoutMs?: number },
  ): Promise<void>;
}

/** Longest command shown in an error message; the full argv stays on the error. */
const shownCommandChars = 300;
const shownOutputChars = 500;

/** The `adb` command line tool, one process per command. */
export function createAdbCli(options: AdbCliOptions = {}): AdbCli {
  const adbPath = options.adbPath ?? 'adb';
  const defaultTimeoutMs = options.timeoutMs ?? 15_000;

  function run(argv: string[], timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        adbPath,
        argv,
        // A UI dump or `dumpsys connectivity` runs to hundreds of kilobytes.
        { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8', windowsHide: true },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout);
          const timedOut = error.killed === true && error.signal !== null;
          const exitCode = typeof error.code === 'number' ? error.code : undefined;
          const shown = [adbPath, ...argv].join(' ');
          const what = shown.length > shownCommandChars ? `${shown.slice(0, shownCommandChars)}…` : shown;
          const why = timedOut
            ? `timed out after ${timeoutMs} ms`
            : exitCode !== undefined
              ? `exited with ${exitCode}`
              : `could not run (${error.code ?? error.message})`;
          const said = (stderr.trim() || stdout.trim()).slice(0, shownOutputChars);
          reject(new AdbError(`${what}: ${why}${said ? `: ${said}` : ''}`, argv, stderr, exitCode, timedOut));
        },
      );
    });
  }

  return {
    shell(serial, args, shellOptions) {
      // One argument for the whole remote command: adb would join several with spaces anyway.
      return run(['-s', serial, 'shell', shellCommand(args)], shellOptions?.timeoutMs ?? defaultTimeoutMs);
    },
    async push(serial, localPath, remotePath, pushOptions) {
      // argv, not a shell: the paths reach adb as they are; the remote one is ours (no tenant data).
      await run(['-s', serial, 'push', localPath, remotePath], pushOptions?.timeoutMs ?? defaultTimeoutMs);
    },
  };
}
