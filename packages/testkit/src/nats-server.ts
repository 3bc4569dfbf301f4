import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@wagate/rpc';

const deployedConfig = fileURLToPath(new URL('../../../deploy/nats/nats-server.conf', import.meta.url));

export interface TestNatsServer {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Its temporary directory (configuration, JetStream store, files the test put there). */
  readonly dir: string;
  /** The server's output so far, e.g. to find a logged permissions violation. */
  readonly output: string[];
  stop(): Promise<void>;
}

/**
 * The machine's `nats-server` running `deploy/nats/nats-server.conf` as deployed — its users
 * and permissions unchanged — on loopback, on a free port, with JetStream in a fresh temporary
 * directory, and a `passwords.conf` beside it defining each variable of `passwords`
 * (`API_PASSWORD`…) as the quoted plain password.
 */
export function startDeployedNatsServer(passwords: Record<string, string>): Promise<TestNatsServer> {
  return startNatsServer((dir, port) => {
    writeFileSync(
      join(dir, 'passwords.conf'),
      Object.entries(passwords)
        .map(([name, password]) => `${name}: ${JSON.stringify(password)}\n`)
        .join(''),
    );
    return readFileSync(deployedConfig, 'utf8')
      .replace(/^port: \d+$/m, `port: ${port}\nhost: 127.0.0.1`)
      .replace(/store_dir: "[^"]*"/, `store_dir: "${join(dir, 'jetstream')}"`);
  });
}

/**
 * The machine's `nats-server` with the configuration `configure` returns for a fresh temporary
 * directory (for JetStream's store and any files the configuration names) and a free loopback
 * port it must listen on. Resolves once the server is ready.
 */
export async function startNatsServer(
  configure: (dir: string, port: number) => string,
): Promise<TestNatsServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'wagate-nats-'));
  const file = join(dir, 'nats-server.conf');
  writeFileSync(file, configure(dir, port));
  const child: ChildProcess = spawn('nats-server', ['-c', file], {
    env: { PATH: process.env.PATH ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`nats-server did not start:\n${output.join('')}`)),
      30_000,
    );
    const collect = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      if (output.join('').includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited:\n${output.join('')}`));
    });
  });
  return {
    url: `nats://127.0.0.1:${port}`,
    dir,
    output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
