/**
 * `npm run bench:fleet`: the fleet's data plane at farm scale, on one fresh PostgreSQL
 * database (see README.md, "Fleet bench"):
 * 1. hold: one fleet process holds 20 000 simulated devices (heartbeat every 10 s) over real
 *    gRPC streams from a separate agents process; fleet's CPU and resident memory over a window;
 * 2. drain: a deep queue of jobs to new contacts drains through 5 000 devices paced at 5 s; the
 *    completed rate beside the pool's capacity (devices ÷ gap) while nothing disturbs it; then
 *    5 % of those devices get a VM restart command through fleet (each away for
 *    BENCH_FLEET_RESTART_MS) while the queue drains: the drop in delivered rate and the time
 *    back to full rate;
 * 3. (BENCH_FLEET_BASELINE=1) the same drain on a fleet that does not prepare offers ahead.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { constants, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, withSchema } from '@wagate/db';
import { freshPostgresUrl } from '@wagate/db/testing';
import { fleet as contracts } from '@wagate/contracts';
import { FLEET_SCHEMA, type FleetTables } from '@wagate/fleet';
import { grpcClient, PLAINTEXT_LOOPBACK } from '@wagate/rpc';
import { sql } from 'kysely';
import { cpuShare, sampleCpu } from './cpu.js';
import { positiveInt } from './env-settings.js';
import { BENCH_ACCOUNT, BENCH_SENDER } from './fleet/fleet-settings.js';
import { residentBytes } from './fleet/process-stats.js';
import { startTarget, stopAllTargets, type TargetProcess } from './target-process.js';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(benchDir, '..');

const settings = {
  holdDevices: positiveInt('BENCH_FLEET_DEVICES', 20_000),
  holdStreams: positiveInt('BENCH_FLEET_STREAMS', 40),
  holdSeconds: positiveInt('BENCH_FLEET_HOLD_SECONDS', 60),
  queueJobs: positiveInt('BENCH_FLEET_JOBS', 100_000),
  queueDevices: positiveInt('BENCH_FLEET_QUEUE_DEVICES', 5_000),
  queueStreams: positiveInt('BENCH_FLEET_QUEUE_STREAMS', 10),
  gapMs: positiveInt('BENCH_FLEET_GAP_MS', 5_000),
  /** Per mille of the queue's devices restarted once 40 % of the queue is done. */
  restartPerMille: positiveInt('BENCH_FLEET_RESTART_PER_MILLE', 50),
  restartMs: positiveInt('BENCH_FLEET_RESTART_MS', 20_000),
  baseline: process.env.BENCH_FLEET_BASELINE === '1',
};
/** The undisturbed part of the drain is measured from 5 % to this share; the restarts come then. */
const RESTART_AT_SHARE = 0.4;
/** Not counted: devices connecting, their first heartbeats and the first gap of each session. */
const SETTLE_SECONDS = 5;

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping\n`);
    void stopAllTargets().finally(() => process.exit(128 + constants.signals[signal]));
  });
}

const startedAt = new Date().toISOString();
const load = loadavg().map((value) => Math.round(value * 100) / 100);
const database = await freshPostgresUrl();
process.env.BENCH_FLEET_DATABASE_URL = database.url;
process.env.BENCH_FLEET_GAP_MS = String(settings.gapMs);
process.env.BENCH_FLEET_RESTART_MS = String(settings.restartMs);
const handle = await openDatabase(database.url);
const db = withSchema<FleetTables>(handle, FLEET_SCHEMA);
let fleet: TargetProcess | undefined;
let agents: TargetProcess | undefined;
const report: Record<string, unknown> = {
  conditions: {
    date: startedAt,
    node: process.version,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cpuCount: cpus().length,
    totalMemoryBytes: totalmem(),
    loadAverage: load,
    settings,
  },
};
try {
  process.stderr.write('fleet: starting\n');
  fleet = await startTarget('fleet-service', repoRoot);
  process.env.BENCH_FLEET_ADDRESS = fleet.url;

  report.hold = await hold(fleet);
  report.drain = await drain(fleet, 'paced');
  report.loadAverageAfter = loadavg().map((value) => Math.round(value * 100) / 100);
  if (settings.baseline) {
    // The baseline: a fresh fleet process that offers only when a pass runs.
    await fleet.stop();
    process.env.BENCH_FLEET_LOOKAHEAD_MS = '0';
    fleet = await startTarget('fleet-service', repoRoot);
    process.env.BENCH_FLEET_ADDRESS = fleet.url;
    report.baseline = await drain(fleet, 'baseline');
  }
} finally {
  await agents?.stop();
  await fleet?.stop();
  await handle.close();
  await database.drop();
}

const file = writeReport(report);
process.stdout.write(`\n${formatReport(report)}\n`);
process.stderr.write(`results: ${file}\n`);

async function hold(fleetProcess: TargetProcess) {
  const { holdDevices, holdStreams, holdSeconds } = settings;
  process.stderr.write(`hold: ${holdDevices} devices over ${holdStreams} streams connecting\n`);
  const connecting = Date.now();
  agents = await startAgents(holdDevices, holdStreams, '70000000001');
  const connectSeconds = (Date.now() - connecting) / 1000;
  await sleep(SETTLE_SECONDS * 1000);
  process.stderr.write(`hold: all welcomed in ${connectSeconds.toFixed(1)} s; measuring ${holdSeconds} s\n`);
  const fleetBefore = sampleCpu(fleetProcess.pid);
  const agentsBefore = sampleCpu(agents.pid);
  const rss: number[] = [];
  const seenBefore = await heardFrom(holdDevices);
  for (let second = 0; second < holdSeconds; second++) {
    await sleep(1_000);
    const bytes = residentBytes(fleetProcess.pid);
    if (bytes !== null) rss.push(bytes);
  }
  const fleetCpu = cpuShare(fleetBefore, sampleCpu(fleetProcess.pid)).targetPercent;
  const agentsCpu = cpuShare(agentsBefore, sampleCpu(agents.pid)).targetPercent;
  const seenAfter = await heardFrom(holdDevices);
  await agents.stop();
  agents = undefined;
  return {
    devices: holdDevices,
    streams: holdStreams,
    seconds: holdSeconds,
    connectSeconds: round(connectSeconds),
    fleetCpuPercent: fleetCpu === null ? null : round(fleetCpu),
    agentsCpuPercent: agentsCpu === null ? null : round(agentsCpu),
    fleetRssMiB: {
      start: mib(rss[0]),
      end: mib(rss.at(-1)),
      max: mib(Math.max(...rss)),
    },
    // Every device's heartbeat reached the database during the window (its last_seen_at moved).
    devicesHeard: { before: seenBefore, after: seenAfter },
  };
}

async function drain(fleetProcess: TargetProcess, label: 'paced' | 'baseline') {
  const { queueJobs, queueDevices, gapMs } = settings;
  const sender = await db
    .selectFrom('senders')
    .select('id')
    .where('account_id', '=', BENCH_ACCOUNT)
    .where('name', '=', BENCH_SENDER)
    .executeTakeFirstOrThrow();
  process.stderr.write(`${label}: queueing ${queueJobs} jobs\n`);
  await queueJobsFor(sender.id, queueJobs, label);
  // As autovacuum would soon after a bulk load: the planner then knows the queue is deep.
  await sql`analyze ${sql.table(`${FLEET_SCHEMA}.jobs`)}`.execute(db);
  const capacityPerSecond = (queueDevices * 1000) / gapMs;
  process.stderr.write(
    `${label}: ${queueDevices} devices at ${gapMs} ms a send (capacity ${capacityPerSecond}/s) connecting\n`,
  );
  agents = await startAgents(queueDevices, settings.queueStreams, '71000000001');
  const fleetBefore = sampleCpu(fleetProcess.pid);
  const timeline: Array<{ atMs: number; done: number }> = [];
  const start = Date.now();
  const limitMs = ((queueJobs / capacityPerSecond) * 3 + 60) * 1000;
  let restarts: Promise<RestartOutcome> | undefined;
  let restartAtMs: number | undefined;
  for (;;) {
    const done = await doneJobs(label);
    timeline.push({ atMs: Date.now() - start, done });
    if (done >= queueJobs || Date.now() - start > limitMs) break;
    if (label === 'paced' && !restarts && done >= queueJobs * RESTART_AT_SHARE) {
      restartAtMs = Date.now() - start;
      restarts = restartSome(fleetProcess.internalUrl ?? '', Math.round((queueDevices * settings.restartPerMille) / 1000));
    }
    await sleep(1_000);
  }
  const fleetCpu = cpuShare(fleetBefore, sampleCpu(fleetProcess.pid)).targetPercent;
  const rss = residentBytes(fleetProcess.pid);
  // The steady part: from 5 % to 95 % of the queue done, so connecting and the tail are left out.
  const at = (share: number) => timeline.find((point) => point.done >= queueJobs * share);
  const from = at(0.05);
  // With restarts, the undisturbed rate is measured before them.
  const to = at(label === 'paced' ? RESTART_AT_SHARE : 0.95);
  const steadyRate =
    from && to && to.atMs > from.atMs ? ((to.done - from.done) * 1000) / (to.atMs - from.atMs) : null;
  const last = timeline.at(-1)!;
  await agents.stop();
  agents = undefined;
  const restartEffect =
    restarts && restartAtMs !== undefined && steadyRate !== null
      ? { ...(await restarts), ...dropAndRecovery(timeline, restartAtMs, steadyRate) }
      : null;
  return {
    lookaheadMs: label === 'baseline' ? 0 : 'default (1000)',
    jobs: queueJobs,
    devices: queueDevices,
    gapMs,
    completed: last.done,
    seconds: round(last.atMs / 1000),
    capacityPerSecond,
    steadyPerSecond: steadyRate === null ? null : round(steadyRate),
    shareOfCapacityPercent: steadyRate === null ? null : round((100 * steadyRate) / capacityPerSecond),
    overallPerSecond: round((last.done * 1000) / last.atMs),
    fleetCpuPercent: fleetCpu === null ? null : round(fleetCpu),
    fleetRssMiB: mib(rss ?? undefined),
    restarts: restartEffect,
  };
}

interface RestartOutcome {
  devices: number;
  commandsMadeInMs: number;
  succeeded: number;
  failed: number;
}

/** Restart commands for `count` of the queue's devices through fleet, as an operator's would go. */
async function restartSome(address: string, count: number): Promise<RestartOutcome> {
  const client = grpcClient(contracts.FleetServiceDefinition, address, PLAINTEXT_LOOPBACK);
  const devices = await db
    .selectFrom('devices')
    .select('id')
    .where('agent_id', 'like', 'bench-agent-71%')
    .orderBy('id')
    .limit(count)
    .execute();
  process.stderr.write(`restarts: ${devices.length} devices get a VM restart command\n`);
  const began = Date.now();
  const commands = await Promise.all(
    devices.map((device) =>
      client.commandDevice({
        accountIds: [BENCH_ACCOUNT],
        deviceId: device.id,
        action: contracts.VmAction.VM_ACTION_RESTART_VM,
        snapshot: '',
        apkUrl: '',
        apkSha256: '',
        timeoutMs: '0',
        requestedBy: 'bench',
        waitMs: '0',
      }),
    ),
  );
  const madeInMs = Date.now() - began;
  const ids = commands.map((answer) => answer.command!.commandId);
  const deadline = Date.now() + settings.restartMs * 3 + 60_000;
  for (;;) {
    const states = await db.selectFrom('vm_commands').select('state').where('id', 'in', ids).execute();
    const finished = states.filter((row) => ['succeeded', 'failed', 'expired'].includes(row.state));
    if (finished.length === ids.length || Date.now() > deadline) {
      return {
        devices: ids.length,
        commandsMadeInMs: madeInMs,
        succeeded: states.filter((row) => row.state === 'succeeded').length,
        failed: ids.length - states.filter((row) => row.state === 'succeeded').length,
      };
    }
    await sleep(1_000);
  }
}

/**
 * From the drain's timeline (jobs done, once a second): the delivered rate over 5 s windows after
 * the restarts, its lowest point beside the undisturbed rate, and how long until a window is back
 * at 98 % of it.
 */
function dropAndRecovery(timeline: Array<{ atMs: number; done: number }>, restartAtMs: number, steadyRate: number) {
  const WINDOW = 5;
  const after = timeline.filter((point) => point.atMs >= restartAtMs);
  const windows: Array<{ atMs: number; rate: number }> = [];
  for (let i = WINDOW; i < after.length; i++) {
    const a = after[i - WINDOW]!;
    const b = after[i]!;
    windows.push({ atMs: b.atMs, rate: ((b.done - a.done) * 1000) / (b.atMs - a.atMs) });
  }
  if (windows.length === 0) return { lowestPerSecond: null, dropPercent: null, backToFullRateAfterSeconds: null };
  const lowest = windows.reduce((min, w) => (w.rate < min.rate ? w : min));
  const back = windows.find((w) => w.atMs > lowest.atMs && w.rate >= steadyRate * 0.98);
  return {
    lowestPerSecond: round(lowest.rate),
    dropPercent: round(100 * (1 - lowest.rate / steadyRate)),
    backToFullRateAfterSeconds: back ? round((back.atMs - restartAtMs) / 1000) : null,
  };
}

async function startAgents(devices: number, streams: number, numberBase: string): Promise<TargetProcess> {
  process.env.BENCH_FLEET_DEVICES = String(devices);
  process.env.BENCH_FLEET_STREAMS = String(streams);
  process.env.BENCH_FLEET_NUMBER_BASE = numberBase;
  return startTarget('fleet-agents', repoRoot);
}

/** Devices of the hold phase whose heartbeat is in the database from the last 15 s. */
async function heardFrom(devices: number): Promise<number> {
  const row = await db
    .selectFrom('devices')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('agent_id', 'like', 'bench-agent-70%')
    .where('last_seen_at', '>', new Date(Date.now() - 15_000))
    .executeTakeFirstOrThrow();
  return Math.min(devices, Number(row.count));
}

async function doneJobs(label: string): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('state', '=', 'done')
    .where('job_id', 'like', `job_${label}_%`)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Jobs as fleet's enqueue writes them, each to its own recipient (a new contact). */
async function queueJobsFor(senderId: string, count: number, label: string): Promise<void> {
  const now = Date.now();
  // Each drain its own messages and recipients: the baseline's are new contacts too.
  const offset = label === 'baseline' ? 10_000_000 : 0;
  for (let first = 0; first < count; first += 1_000) {
    const rows = Array.from({ length: Math.min(1_000, count - first) }, (_, i) => {
      const n = offset + first + i + 1;
      const messageId = String(n);
      const recipient = `7916${String(n).padStart(8, '0')}`;
      return {
        message_id: messageId,
        job_id: `job_${label}_${n}`,
        account_id: BENCH_ACCOUNT,
        sender_id: senderId,
        recipient,
        device_id: null,
        state: 'queued' as const,
        payload: JSON.stringify({
          messageId,
          accountId: BENCH_ACCOUNT,
          sender: BENCH_SENDER,
          recipient,
          text: `Your code is ${String(n % 1_000_000).padStart(6, '0')}`,
          acceptedAtMs: String(now),
        }),
        traceparent: '',
        updated_at: new Date(),
      };
    });
    await db.insertInto('jobs').values(rows).execute();
  }
}

function writeReport(value: Record<string, unknown>): string {
  const directory = join(benchDir, 'results');
  mkdirSync(directory, { recursive: true });
  const json = `${JSON.stringify(value, null, 2)}\n`;
  const file = join(directory, `fleet-${startedAt.replaceAll(':', '-')}.json`);
  writeFileSync(file, json);
  writeFileSync(join(directory, 'fleet-latest.json'), json);
  return file;
}

function formatReport(value: Record<string, unknown>): string {
  const h = value.hold as Awaited<ReturnType<typeof hold>>;
  const drains = [value.drain, value.baseline].filter(Boolean) as Array<Awaited<ReturnType<typeof drain>>>;
  return [
    `hold:  ${h.devices} devices on ${h.streams} streams for ${h.seconds} s — fleet CPU ${h.fleetCpuPercent} % of a core, ` +
      `RSS ${h.fleetRssMiB.start}→${h.fleetRssMiB.end} MiB (max ${h.fleetRssMiB.max}); agents CPU ${h.agentsCpuPercent} %; ` +
      `devices heard in the last 15 s: ${h.devicesHeard.after}/${h.devices}; connected in ${h.connectSeconds} s`,
    ...drains.map(
      (d) =>
        `drain (lookahead ${d.lookaheadMs}): ${d.completed}/${d.jobs} jobs in ${d.seconds} s on ${d.devices} devices at ${d.gapMs} ms — ` +
        `capacity ${d.capacityPerSecond}/s, steady ${d.steadyPerSecond}/s = ${d.shareOfCapacityPercent} % of capacity ` +
        `(overall ${d.overallPerSecond}/s); fleet CPU ${d.fleetCpuPercent} %, RSS ${d.fleetRssMiB} MiB` +
        (d.restarts
          ? `\nrestarts: ${d.restarts.devices} devices (${d.restarts.succeeded} restarted, ${d.restarts.failed} not) — ` +
            `lowest 5 s rate ${d.restarts.lowestPerSecond}/s, a drop of ${d.restarts.dropPercent} %; back to 98 % of the ` +
            `undisturbed rate after ${d.restarts.backToFullRateAfterSeconds ?? 'never'} s`
          : ''),
    ),
    `load average before ${JSON.stringify((value.conditions as { loadAverage: number[] }).loadAverage)}, after the drain ${JSON.stringify(value.loadAverageAfter)}`,
  ].join('\n');
}

function mib(bytes: number | undefined): number | null {
  return bytes === undefined || !Number.isFinite(bytes) ? null : Math.round(bytes / 1024 / 1024);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
