import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@wagate/rpc';

/** A NATS cluster of separate `nats-server` processes on loopback, for tests. */
export interface NatsCluster {
  /** Every node's client URL, comma-separated: what `NATS_URL` takes. */
  readonly url: string;
  readonly clientUrls: string[];
  /** The index of the node leading a stream (from a live node's /jsz), -1 if none does. */
  streamLeader(streamName: string): Promise<number>;
  /** SIGKILLs one node (no lame duck, no flush): a crashed machine. */
  kill(node: number): Promise<void>;
  /** Starts a killed node again on its ports and store directory; resolves once it serves clients. */
  restart(node: number): Promise<void>;
  stop(): Promise<void>;
}

interface Node {
  name: string;
  clientPort: number;
  routePort: number;
  monitorPort: number;
  storeDir: string;
  process?: ChildProcess;
  exited?: Promise<void>;
}

/**
 * Starts `size` nodes of the machine's `nats-server` (never the shared one on 4222): free
 * loopback ports, cluster routes to every node, JetStream with its own temporary store per
 * node. Resolves once every node is healthy (JetStream has its meta leader).
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const root = mkdtempSync(join(tmpdir(), 'wagate-nats-cluster-'));
  const clusterName = `wagate_test_${root.slice(-6).replace(/\W/g, '')}`;
  const nodes: Node[] = [];
  for (let index = 0; index < size; index += 1) {
    nodes.push({
      name: `n${index}`,
      clientPort: await freePort(),
      routePort: await freePort(),
      monitorPort: await freePort(),
      storeDir: join(root, `n${index}`),
    });
  }
  const routes = nodes.map((node) => `nats://127.0.0.1:${node.routePort}`).join(',');

  const start = (node: Node): Promise<void> => {
    const child = spawn(
      'nats-server',
      [
        '--addr', '127.0.0.1',
        '--port', `${node.clientPort}`,
        '--server_name', node.name,
        '--jetstream',
        '--store_dir', node.storeDir,
        '--cluster_name', clusterName,
        '--cluster', `nats://127.0.0.1:${node.routePort}`,
        '--routes', routes,
        '--http_port', `${node.monitorPort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    node.process = child;
    node.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const output: string[] = [];
    const listening = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output.push(chunk.toString('utf8'));
        if (/Server is ready/.test(output.join(''))) {
          child.stderr?.off('data', onData);
          resolve();
        }
      };
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`nats-server ${node.name} exited (${code}):\n${output.join('')}`)));
    });
    return listening.then(() => untilHealthy(node));
  };

  // /healthz answers 200 once the node has JetStream's meta leader and is current with it: before
  // that a client's first stream request may time out.
  const untilHealthy = async (node: Node) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${node.monitorPort}/healthz`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`nats-server ${node.name}: not healthy within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const kill = async (node: Node) => {
    if (!node.process || node.process.exitCode !== null || node.process.signalCode !== null) return;
    node.process.kill('SIGKILL');
    await node.exited;
  };

  try {
    await Promise.all(nodes.map(start));
  } catch (error) {
    await Promise.all(nodes.map(kill));
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  const clientUrls = nodes.map((node) => `nats://127.0.0.1:${node.clientPort}`);
  return {
    url: clientUrls.join(','),
    clientUrls,
    async streamLeader(streamName) {
      for (const node of nodes) {
        if (!node.process || node.process.exitCode !== null || node.process.signalCode !== null) continue;
        const response = await fetch(`http://127.0.0.1:${node.monitorPort}/jsz?accounts=true&streams=true`).catch(() => undefined);
        if (!response?.ok) continue;
        const report = (await response.json()) as {
          account_details?: { stream_detail?: { name: string; cluster?: { leader?: string } }[] }[];
        };
        const streams = (report.account_details ?? []).flatMap((account) => account.stream_detail ?? []);
        const leader = streams.find((stream) => stream.name === streamName)?.cluster?.leader;
        return nodes.findIndex((candidate) => candidate.name === leader);
      }
      return -1;
    },
    kill: (index) => kill(nodes[index]!),
    restart: (index) => start(nodes[index]!),
    async stop() {
      await Promise.all(nodes.map(kill));
      rmSync(root, { recursive: true, force: true });
    },
  };
}
