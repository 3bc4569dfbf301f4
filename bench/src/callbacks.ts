/**
 * `npm run bench` (second part): status callbacks delivered per second to a local receiver,
 * by dispatch's callback worker (leases in PostgreSQL, DNS check, signatures, per-origin
 * limit), beside a bare loop of POSTs with the same concurrency. The rate is measured from the
 * receiver's clock (first to last arrival), so start-up and database filling are not counted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCallbackReceiver } from '@wagate/testkit';
import { conditions } from './report.js';
import { startTarget } from './target-process.js';
import { CONCURRENCY, callbackCount } from './targets/callback-settings.js';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(benchDir, '..');
const total = callbackCount();
process.env.BENCH_CALLBACKS = String(total);

interface CallbackRow {
  target: string;
  callbacks: number;
  seconds: number;
  callbacksPerSecond: number;
  duplicates: number;
  percentOfBare?: number;
}

const rows: CallbackRow[] = [];
for (const name of ['bare-post', 'callback-worker']) {
  const receiver = await startCallbackReceiver();
  process.env.BENCH_RECEIVER_URL = `${receiver.url}/callbacks`;
  process.stderr.write(`callbacks: ${name} delivering ${total}\n`);
  const target = await startTarget(name, repoRoot);
  try {
    const arrived = await receiver.waitFor(total, 180_000);
    const seconds = (arrived.at(-1)!.at - arrived[0]!.at) / 1000;
    const ids = new Set(receiver.received.map((r) => String(r.headers['webhook-id'])));
    rows.push({
      target: name,
      callbacks: total,
      seconds: Math.round(seconds * 100) / 100,
      callbacksPerSecond: Math.round((total - 1) / Math.max(seconds, 0.001)),
      duplicates: receiver.received.length - ids.size,
    });
  } finally {
    await target.stop();
    await receiver.close();
  }
}
const bare = rows.find((row) => row.target === 'bare-post')?.callbacksPerSecond;
for (const row of rows) if (bare) row.percentOfBare = Math.round((row.callbacksPerSecond / bare) * 1000) / 10;

const header = ['target', 'callbacks', 'seconds', 'callbacks/s', 'duplicates', '% of bare POSTs'];
const lines = rows.map((row) => [
  row.target,
  String(row.callbacks),
  row.seconds.toFixed(2),
  String(row.callbacksPerSecond),
  String(row.duplicates),
  `${row.percentOfBare?.toFixed(1) ?? '—'} %`,
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
process.stdout.write(`\n${format(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
for (const line of lines) process.stdout.write(`${format(line)}\n`);

const report = {
  conditions: { ...conditions({ seconds: 0, warmupSeconds: 0, connections: CONCURRENCY }), callbacks: total },
  rows,
};
const directory = join(benchDir, 'results');
mkdirSync(directory, { recursive: true });
const stamp = report.conditions.date.replaceAll(':', '-');
writeFileSync(join(directory, `callbacks-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(join(directory, 'callbacks-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`\nresults: bench/results/callbacks-${stamp}.json (and callbacks-latest.json)\n`);
