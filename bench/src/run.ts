/**
 * `npm run bench`: messages accepted per second through POST /whatsapp/messages, for each
 * target × body size. One target process at a time, the load generator in this process.
 */
import { constants } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBenchTemplate } from './bench-template.js';
import { BODY_SIZES } from './bodies.js';
import { acceptToDevice } from './device-latency.js';
import { cpuShare, sampleCpu } from './cpu.js';
import { positiveInt } from './env-settings.js';
import { type LoadCase, runLoad, verifyAccepted } from './load.js';
import { conditions, formatTable, type Row, relativeToBaseline, toRow, writeResults } from './report.js';
import { serviceCpuBetween, serviceCpuProbe } from './service-cpu.js';
import { startTarget, stopAllTargets, type TargetProcess } from './target-process.js';

const TARGETS = [
  'bare-hono',
  'embedded',
  // The same with OpenTelemetry metrics on, beside it in the same run: their cost.
  'embedded-metrics',
  'embedded-priced',
  'postgres-nats',
  'postgres-nats-priced',
  // The same paying target with service-to-service gRPC in plaintext: beside the row above, the cost of mutual TLS.
  'postgres-nats-priced-plaintext',
  // The same paying target with each service a process of its own, as production runs it.
  'postgres-nats-priced-processes',
  // The same paying target with phones that send at once: acceptance to the device.
  'postgres-nats-priced-devices',
] as const;
/** How long the phones get to send what a full-load run left queued before the half-load run. */
const BACKLOG_DRAIN_MS = 90_000;
/**
 * Not counted: lets the JIT, connection pools and database caches settle before measuring. A
 * target's first case warms longer: its code runs half-optimised for the first seconds of load
 * (the paying single send measured 2.56 ms of CPU a request after 1 s of load, 2.25 after 7 s,
 * 1.92 after 14 s, 1.83 after 22 s), and a service runs for hours, so the steady state is the
 * figure; the target's later cases run on the code it already warmed.
 */
const FIRST_WARMUP_SECONDS = 15;
const WARMUP_SECONDS = 2;

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(benchDir, '..');

const settings = {
  seconds: positiveInt('BENCH_SECONDS', 8),
  connections: positiveInt('BENCH_CONNECTIONS', 16),
  firstWarmupSeconds: positiveInt('BENCH_WARMUP_SECONDS', FIRST_WARMUP_SECONDS),
  warmupSeconds: WARMUP_SECONDS,
  targets: selectedTargets(),
  /**
   * BENCH_BEFORE=<directory>: a checkout of an earlier commit with its node_modules installed.
   * Each gateway target then runs from it too, right after the same target from this tree, as
   * `<target> before`: a change measured beside its before-state in one run, under one load.
   */
  beforeTree: process.env.BENCH_BEFORE ? resolve(process.env.BENCH_BEFORE) : undefined,
};

// Ctrl-C or a CI timeout must not leave a gateway (and its Postgres database) running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping targets\n`);
    // The shell convention for "killed by a signal": 128 + its number.
    void stopAllTargets().finally(() => process.exit(128 + constants.signals[signal]));
  });
}

// Taken before the first target starts: the load average then says how busy the machine
// already was (the runs' own load would otherwise dominate it).
const runConditions = conditions(settings);
process.stderr.write(
  `bench: ${settings.targets.join(', ')} × ${BODY_SIZES.join('/')} messages per body, ` +
    `${settings.connections} connections, ${settings.firstWarmupSeconds} s warm-up for a target's first case, ` +
    `${settings.warmupSeconds} s for the others, + ${settings.seconds} s each\n`,
);

const measured: Array<Omit<Row, 'percentOfBareHono'>> = [];
const failures: string[] = [];
const runs = settings.targets.flatMap((name) => [
  { name, label: name, root: repoRoot },
  ...(settings.beforeTree && name !== 'bare-hono'
    ? [{ name, label: `${name} before`, root: settings.beforeTree }]
    : []),
]);
for (const { name, label: runLabel, root } of runs) {
  let target: TargetProcess | undefined;
  let lastCase: LoadCase | undefined;
  let firstCase = true;
  try {
    process.stderr.write(`${runLabel}: starting\n`);
    target = await startTarget(name, root);
    // The gateways also send the same message as a template, right after the plain text case
    // (not from the before-tree: its rows compare the plain path).
    const templateId =
      name === 'bare-hono' || name.includes('-priced') || root !== repoRoot
        ? undefined
        : await createBenchTemplate(target);
    for (const messages of BODY_SIZES) {
      for (const template of templateId ? [undefined, templateId] : [undefined]) {
        const label = template ? `${name} template` : runLabel;
        lastCase = {
          url: target.url,
          apiKey: target.apiKey,
          messages,
          connections: settings.connections,
          seconds: settings.seconds,
          ...(template ? { templateId: template } : {}),
        };
        try {
          measured.push(await measureCase(target, label, lastCase, firstCase));
          firstCase = false;
        } catch (error) {
          failures.push(`${label} × ${messages}: ${(error as Error).message}`);
        }
      }
    }
  } catch (error) {
    failures.push((error as Error).message);
  } finally {
    if (target) {
      // Let the target finish what the last run abandoned, so it can stop cleanly (and the
      // postgres target drop its database) instead of being killed mid-backlog.
      if (lastCase) await verifyAccepted(lastCase).catch(() => undefined);
      const stopping = Date.now();
      await target.stop();
      process.stderr.write(`${runLabel}: stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s\n`);
    }
  }
}

// Side by side: each body size together, targets in their fixed order, text before template.
const order = (label: string) => TARGETS.indexOf(label.split(' ')[0] as (typeof TARGETS)[number]);
const rows = relativeToBaseline(measured).sort(
  (a, b) =>
    a.messagesPerBody - b.messagesPerBody ||
    order(a.target) - order(b.target) ||
    a.target.length - b.target.length,
);
const report = { conditions: runConditions, rows, failures };
process.stdout.write(`\n${formatTable(rows, failures)}\n\n`);
const file = writeResults(resolve(benchDir, 'results'), report);
process.stderr.write(`results: ${file} (and latest.json)\n`);
if (failures.length > 0) process.exitCode = 1;

/**
 * Verify, warm up, wait for the warm-up's leftovers, then the timed run at full load; then,
 * after the leftovers again, a run offered half the rate the full one reached: the latency a
 * tenant sees when the gateway is busy but not saturated (at full load it is mostly queueing).
 */
async function measureCase(
  target: TargetProcess,
  label: string,
  load: LoadCase,
  firstCase: boolean,
): Promise<Omit<Row, 'percentOfBareHono'>> {
  await verifyAccepted(load);
  await runLoad({ ...load, seconds: firstCase ? settings.firstWarmupSeconds : settings.warmupSeconds });
  const settling = Date.now();
  await verifyAccepted(load);
  process.stderr.write(
    `${label} × ${load.messages}: warm-up settled in ${((Date.now() - settling) / 1000).toFixed(1)} s, measuring\n`,
  );
  const services = await serviceCpuProbe(target.pid, target.databaseUrl);
  try {
    const before = sampleCpu(target.pid);
    const servicesBefore = await services.sample();
    const result = await runLoad(load);
    const cpu = cpuShare(before, sampleCpu(target.pid));
    const serviceCpu = serviceCpuBetween(servicesBefore, await services.sample());
    const halfRate = Math.max(1, Math.round(result.requests2xx / result.seconds / 2));
    await verifyAccepted(load);
    // The phones first work off what the full-load run queued: the half-load figures are the
    // path's latency, not the wait behind that backlog.
    if (target.instantDevices && target.databaseUrl) {
      await acceptToDevice(target.databaseUrl, { fromMs: 0, toMs: Date.now() }, BACKLOG_DRAIN_MS);
    }
    process.stderr.write(`${label} × ${load.messages}: at half load, ${halfRate} requests/s\n`);
    const window = { fromMs: Date.now(), toMs: 0 };
    const halfLoad = await runLoad({ ...load, requestsPerSecond: halfRate });
    window.toMs = Date.now();
    const toDevice =
      target.instantDevices && target.databaseUrl ? await acceptToDevice(target.databaseUrl, window) : null;
    return toRow(
      label,
      load.messages,
      result,
      cpu,
      serviceCpu,
      { ...halfLoad, offeredRequestsPerSecond: halfRate },
      toDevice,
    );
  } finally {
    await services.close();
  }
}

function selectedTargets(): Array<(typeof TARGETS)[number]> {
  const raw = process.env.BENCH_TARGETS;
  if (!raw) return [...TARGETS];
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(TARGETS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new Error(`BENCH_TARGETS: unknown ${unknown.join(', ')}; known: ${TARGETS.join(', ')}`);
  return TARGETS.filter((name) => names.includes(name));
}
