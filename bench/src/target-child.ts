/**
 * The child side of the target protocol (the parent side is target-process.ts): start the
 * server, print one ready line on stdout, stop on SIGTERM/SIGINT or when the parent goes away.
 */

/** The one line a target prints once it accepts requests. Anything else on stdout is logs. */
export interface ReadyLine {
  ready: true;
  url: string;
  apiKey: string;
  /** Gateways: the demo account, and a platform key that may review its templates. */
  accountId?: string;
  supervisorKey?: string;
  /** The fleet target: its internal plane (operators' commands); `url` is its agent plane. */
  internalUrl?: string;
  /** PostgreSQL targets: their database, whose server processes' CPU the runner adds to the target's. */
  databaseUrl?: string;
  /** Simulated phones that send at once: the runner measures acceptance to the device. */
  instantDevices?: number;
}

export interface RunningTarget {
  url: string;
  /** Empty for targets without authentication. */
  apiKey: string;
  accountId?: string;
  supervisorKey?: string;
  internalUrl?: string;
  databaseUrl?: string;
  instantDevices?: number;
  stop(): Promise<void>;
}

export function isReadyLine(value: unknown): value is ReadyLine {
  const line = value as Partial<ReadyLine> | null;
  return typeof line === 'object' && line !== null && line.ready === true && typeof line.url === 'string';
}

/** Runs `start` and keeps the process serving until it is told to stop. */
export async function serveTarget(start: () => Promise<RunningTarget>): Promise<void> {
  let target: RunningTarget;
  try {
    target = await start();
  } catch (error) {
    process.stderr.write(`target failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
  const { stop: _stop, ...fields } = target;
  const ready: ReadyLine = { ready: true, ...fields };
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    let code = 0;
    try {
      await target.stop();
    } catch (error) {
      process.stderr.write(`target failed to stop cleanly: ${(error as Error).stack ?? String(error)}\n`);
      code = 1;
    }
    // Exit explicitly: stop() has released everything that matters (database, bus, ports); the
    // parent should not have to wait for idle timers in client libraries to run out.
    process.exit(code);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // The parent holds our stdin open; EOF means it died without signalling us, so we must not
  // linger as an orphan holding a port and a database.
  process.stdin.on('end', shutdown);
  process.stdin.resume();
}
