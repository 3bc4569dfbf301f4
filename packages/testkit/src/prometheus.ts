import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's `prometheus` package puts both tools here; `.ci/run` installs it. */
const BIN = '/usr/bin';

/**
 * The path of `tool` (prometheus or promtool) when installed. When it is missing, tests skip
 * unless WAGATE_REQUIRE_PROMETHEUS=1 (set by `.ci/run`), when they fail instead.
 */
export function prometheusTool(tool: 'prometheus' | 'promtool'): string | undefined {
  const path = join(BIN, tool);
  if (existsSync(path)) return path;
  if (process.env.WAGATE_REQUIRE_PROMETHEUS === '1') {
    throw new Error(`WAGATE_REQUIRE_PROMETHEUS=1 but ${path} is missing: apt-get install prometheus`);
  }
  return undefined;
}

export interface PrometheusServer {
  readonly url: string;
  /** The value of each series an instant query answers, by its labels. */
  query(promql: string): Promise<Array<{ labels: Record<string, string>; value: number }>>;
  stop(): Promise<void>;
}

/**
 * A real Prometheus (the Debian binary) on loopback `port` with its data in a temporary
 * directory, scraping each target (`host:port`, its `/metrics`) every second under a `service`
 * label.
 */
export async function startPrometheus(options: {
  port: number;
  targets: Record<string, string>;
}): Promise<PrometheusServer> {
  const { port, targets } = options;
  const binary = prometheusTool('prometheus');
  if (!binary) throw new Error('prometheus is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'wagate-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    JSON.stringify({
      global: { scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      scrape_configs: [
        {
          job_name: 'wagate',
          static_configs: Object.entries(targets).map(([service, target]) => ({
            targets: [target],
            labels: { service },
          })),
        },
      ],
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready:\n${output.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return {
    url,
    async query(promql) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await response.json()) as {
        status: string;
        error?: string;
        data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error}`);
      return (body.data?.result ?? []).map(({ metric, value }) => ({
        labels: metric,
        value: Number(value[1]),
      }));
    },
    stop,
  };
}
