import { CliError, runCli } from '../../cli.js';
import { shellCommand } from './shell-quote.js';

/** A failed adb command, with what was run and what adb or the device said. */
export class AdbError extends CliError {
  override name = 'AdbError';
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

/** The `adb` command line tool, one process per command. */
export function createAdbCli(options: AdbCliOptions = {}): AdbCli {
  const adbPath = options.adbPath ?? 'adb';
  const defaultTimeoutMs = options.timeoutMs ?? 15_000;
  const run = (argv: string[], timeoutMs: number) =>
    runCli(adbPath, argv, { timeoutMs, errorClass: AdbError });

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
