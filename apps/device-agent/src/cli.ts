import { execFile } from 'node:child_process';

/** A command line tool that failed, with what was run and what it said. */
export class CliError extends Error {
  override name = 'CliError';

  constructor(
    message: string,
    /** The argv given to the tool. */
    readonly command: readonly string[],
    readonly stderr: string,
    /** The exit code, when the command ran to an end. */
    readonly exitCode: number | undefined,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

export interface RunCliOptions<E extends CliError> {
  timeoutMs: number;
  /** The error class thrown, so each tool's failures keep their own name. */
  errorClass?: new (
    ...args: ConstructorParameters<typeof CliError>
  ) => E;
}

/** Longest command shown in an error message; the full argv stays on the error. */
const shownCommandChars = 300;
const shownOutputChars = 500;
// A UI dump or `dumpsys connectivity` runs to hundreds of kilobytes, a screenshot to megabytes.
const maxBuffer = 64 * 1024 * 1024;

/** Runs `file` with `argv` (never through a shell) and resolves with its standard output. */
export function runCli<E extends CliError = CliError>(
  file: string,
  argv: readonly string[],
  options: RunCliOptions<E> & { binary: true },
): Promise<Buffer>;
export function runCli<E extends CliError = CliError>(
  file: string,
  argv: readonly string[],
  options: RunCliOptions<E> & { binary?: false },
): Promise<string>;
export function runCli<E extends CliError>(
  file: string,
  argv: readonly string[],
  options: RunCliOptions<E> & { binary?: boolean },
): Promise<string | Buffer> {
  const ErrorClass = options.errorClass ?? CliError;
  return new Promise((resolve, reject) => {
    execFile(
      file,
      argv,
      {
        timeout: options.timeoutMs,
        maxBuffer,
        encoding: options.binary ? 'buffer' : 'utf8',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const timedOut = error.killed === true && error.signal !== null;
        const exitCode = typeof error.code === 'number' ? error.code : undefined;
        const shown = [file, ...argv].join(' ');
        const what = shown.length > shownCommandChars ? `${shown.slice(0, shownCommandChars)}…` : shown;
        const why = timedOut
          ? `timed out after ${options.timeoutMs} ms`
          : exitCode !== undefined
            ? `exited with ${exitCode}`
            : `could not run (${error.code ?? error.message})`;
        const errText = String(stderr);
        const said = (errText.trim() || (options.binary ? '' : String(stdout).trim())).slice(
          0,
          shownOutputChars,
        );
        reject(
          new ErrorClass(`${what}: ${why}${said ? `: ${said}` : ''}`, argv, errText, exitCode, timedOut),
        );
      },
    );
  });
}
