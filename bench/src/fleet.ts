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
import { procCpuSeconds } from './cpu.js';
import { positiveInt } from './env-settings.js';
import { BENCH_ACCOUNT, BENCH_SENDER } from './fleet/fleet-settings.js';
import { FLEET_APPLICATION_NAME, residentBytes } from './fleet/process-stats.js';
import { postgresCpuMeter } from './service-cpu.js';
import { gitCommit } from './report.js';
import { startTarget, stopAllTargets, type TargetProcess } from './target-process.js';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(benchDir, '..');

/**
 * `BENCH_FLEET_QUICK=1`: a smaller run of the same phases (about two minutes) for a quick look;
 * every `BENCH_FLEET_*` variable still overrides it.
 */
const quick = process.env.BENCH_FLEET_QUICK === '1';
const settings = {
  quick,
  holdDevices: positiveInt('BENCH_FLEET_DEVICES', quick ? 5_000 : 20_000),
  holdStreams: positiveInt('BENCH_FLEET_STREAMS', quick ? 10 : 40),
  holdSeconds: positiveInt('BENCH_FLEET_HOLD_SECONDS', quick ? 20 : 60),
  queueJobs: positiveInt('BENCH_FLEET_JOBS', quick ? 12_000 : 100_000),
  queueDevices: positiveInt('BENCH_FLEET_QUEUE_DEVICES', quick ? 1_000 : 5_000),
  queueStreams: positiveInt('BENCH_FLEET_QUEUE_STREAMS', quick ? 20 : 50),
  gapMs: positiveInt('BENCH_FLEET_GAP_MS', 5_000),
  /** Per mille of the queue's devices restarted once 40 % of the queue is done. */
  restartPerMille: positiveInt('BENCH_FLEET_RESTART_PER_MILLE', 50),
  restartMs: positiveInt('BENCH_FLEET_RESTART_MS', quick ? 10_000 : 20_000),
  baseline: process.env.BENCH_FLEET_BASELINE === '1',
};
/** Restart commands made at once (an operator's script would not send hundreds in parallel either). */
const COMMANDS_IN_FLIGHT = 25;
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
const load = loadAverage();
const database = await freshPostgresUrl();
process.env.BENCH_FLEET_DATABASE_URL = database.url;
process.env.BENCH_FLEET_GAP_MS = String(settings.gapMs);
process.env.BENCH_FLEET_RESTART_MS = String(settings.restartMs);
const handle = await openDatabase(database.url);
const db = withSchema<FleetTables>(handle, FLEET_SCHEMA);
// Fleet's backends by their application name: the bench's own connections write jobs into the same database.
const postgresCpu = await postgresCpuMeter(database.url, { applicationName: FLEET_APPLICATION_NAME });
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
    gitCommit: gitCommit(),
    settings,
  },
};
try {
  process.stderr.write('fleet: starting\n');
  fleet = await startTarget('fleet-service', repoRoot);
  process.env.BENCH_FLEET_ADDRESS = fleet.url;

  report.hold = await hold(fleet);
  report.drain = await drain(fleet, 'paced');
  report.loadAverageAfter = loadAverage();
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
  await postgresCpu.close();
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
  const before = await sampleCpu(fleetProcess, agents);
  const rss: number[] = [];
  const seenBefore = await heardFrom(holdDevices);
  for (let second = 0; second < holdSeconds; second++) {
    await sleep(1_000);
    const bytes = residentBytes(fleetProcess.pid);
    if (bytes !== null) rss.push(bytes);
  }
  const cpu = cpuBetween(before, await sampleCpu(fleetProcess, agents));
  const seenAfter = await heardFrom(holdDevices);
  await agents.stop();
  agents = undefined;
  return {
    devices: holdDevices,
    streams: holdStreams,
    seconds: holdSeconds,
    connectSeconds: round(connectSeconds),
    ...cpu,
    // CPU time per held device per second of holding it: what one more device costs fleet.
    fleetCpuMicrosecondsPerDeviceSecond:
      cpu.fleetCpuSeconds === null
        ? null
        : round((cpu.fleetCpuSeconds * 1e6) / (holdDevices * cpu.measuredSeconds)),
    fleetRssMiB: {
      start: mib(rss[0]),
      end: mib(rss.at(-1)),
      max: mib(Math.max(...rss)),
    },
    // Every device's heartbeat reached the database during the window (its last_seen_at moved).
    devicesHeard: { before: seenBefore, after: seenAfter },
    loadAverageAfter: loadAverage(),
  };
}

interface CpuSample {
  atMs: number;
  fleet: number | null;
  agents: number | null;
  postgres: number | null;
}

/** CPU seconds so far of the fleet process, the agents process and fleet's PostgreSQL backends. */
async function sampleCpu(
  fleetProcess: TargetProcess,
  agentsProcess: TargetProcess | undefined,
): Promise<CpuSample> {
  return {
    atMs: Date.now(),
    fleet: fleetProcess.pid === undefined ? null : procCpuSeconds(fleetProcess.pid),
    agents: agentsProcess?.pid === undefined ? null : procCpuSeconds(agentsProcess.pid),
    postgres: await postgresCpu.seconds(),
  };
}

/** CPU seconds and % of one core of each process between two samples (null where unknown). */
function cpuBetween(from: CpuSample, to: CpuSample) {
  const seconds = (to.atMs - from.atMs) / 1000;
  const used = (key: 'fleet' | 'agents' | 'postgres') => {
    const a = from[key];
    const b = to[key];
    return a === null || b === null ? null : b - a;
  };
  const percent = (value: number | null) =>
    value === null || seconds <= 0 ? null : round((100 * value) / seconds);
  return {
    measuredSeconds: round(seconds),
    fleetCpuSeconds: roundTo(used('fleet'), 2),
    fleetCpuPercent: percent(used('fleet')),
    agentsCpuPercent: percent(used('agents')),
    postgresCpuPercent: percent(used('postgres')),
    postgresCpuSeconds: roundTo(used('postgres'), 2),
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
  // The hosts connect over one gap, so the farm's devices are not all paced in step (see fleet-agents.ts).
  agents = await startAgents(queueDevices, settings.queueStreams, '71000000001', gapMs);
  const timeline: Array<{ atMs: number; done: number; cpu: CpuSample }> = [];
  const start = Date.now();
  const limitMs = ((queueJobs / capacityPerSecond) * 3 + 60) * 1000;
  let restarts: Promise<RestartOutcome> | undefined;
  let restartAtMs: number | undefined;
  for (;;) {
    const done = await doneJobs(label);
    timeline.push({ atMs: Date.now() - start, done, cpu: await sampleCpu(fleetProcess, agents) });
    if (done >= queueJobs || Date.now() - start > limitMs) break;
    if (label === 'paced' && !restarts && done >= queueJobs * RESTART_AT_SHARE) {
      restartAtMs = Date.now() - start;
      restarts = restartSome(
        fleetProcess.internalUrl ?? '',
        Math.round((queueDevices * settings.restartPerMille) / 1000),
      );
    }
    await sleep(500);
  }
  const rss = residentBytes(fleetProcess.pid);
  // The steady part starts at 5 % of the queue done (connecting left out) and ends at 95 % (the
  // tail), or where the restarts come. It spans whole gaps: a device takes one job a gap, so a
  // window of a gap and a half could hold two of a device's jobs and show more than capacity.
  const at = (share: number) => timeline.find((point) => point.done >= queueJobs * share);
  const from = at(0.05);
  const end = at(label === 'paced' ? RESTART_AT_SHARE : 0.95);
  const gaps = from && end ? Math.floor((end.atMs - from.atMs) / gapMs) : 0;
  // The last sample inside the whole gaps; the rate is interpolated to the gaps' exact end.
  const to =
    from && gaps > 0 ? timeline.findLast((point) => point.atMs <= from.atMs + gaps * gapMs) : undefined;
  const steady = from && to && to.atMs > from.atMs ? { from, to } : undefined;
  const steadyRate = steady
    ? (doneAt(timeline, steady.from.atMs + gaps * gapMs) - steady.from.done) / ((gaps * gapMs) / 1000)
    : null;
  const steadyCpu = steady ? cpuBetween(steady.from.cpu, steady.to.cpu) : null;
  const steadyJobs = steady ? steady.to.done - steady.from.done : 0;
  const perJob = (seconds: number | null | undefined) =>
    seconds === null || seconds === undefined || steadyJobs === 0
      ? null
      : round((seconds * 1e6) / steadyJobs);
  const last = timeline.at(-1)!;
  const perDevice = await deviceIntervals(label, new Date(start + (restartAtMs ?? last.atMs)));
  // The commands' outcomes come from the agents: read them before the agents stop.
  const restartOutcome = restarts ? await restarts : undefined;
  await agents.stop();
  agents = undefined;
  const restartEffect =
    restartOutcome && restartAtMs !== undefined && steadyRate !== null
      ? { ...restartOutcome, ...dropAndRecovery(timeline, restartAtMs, steadyRate, gapMs, queueJobs) }
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
    // Each device's jobs done before the restarts: the mean time between two of them beside
    // the gap (100 % = one job every gap, the most pacing allows). No window edges to fall on.
    perDevice: {
      devicesThatDelivered: perDevice.devices,
      meanSecondsBetweenJobs: perDevice.meanMs === null ? null : round(perDevice.meanMs / 1000),
      shareOfCapacityPercent: perDevice.meanMs === null ? null : round((100 * gapMs) / perDevice.meanMs),
    },
    // Over the steady part: CPU of each process, and CPU time per delivered job (µs).
    steadyCpu,
    fleetCpuMicrosecondsPerJob: perJob(steadyCpu?.fleetCpuSeconds),
    postgresCpuMicrosecondsPerJob: perJob(steadyCpu?.postgresCpuSeconds),
    // The whole drain, connecting and restarts included.
    wholeDrainCpu: cpuBetween(timeline[0]!.cpu, last.cpu),
    fleetRssMiB: mib(rss ?? undefined),
    restarts: restartEffect,
    loadAverageAfter: loadAverage(),
    // [seconds since the devices connected, jobs done], once a second: the shape of the drain.
    timeline: timeline.map((point) => [round(point.atMs / 1000), point.done]),
  };
}

interface RestartOutcome {
  devices: number;
  commandsNotMade: number;
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
  const ids: string[] = [];
  let notMade = 0;
  const queue = devices.map((device) => device.id);
  await Promise.all(
    Array.from({ length: COMMANDS_IN_FLIGHT }, async () => {
      for (let deviceId = queue.shift(); deviceId !== undefined; deviceId = queue.shift()) {
        try {
          const answer = await client.commandDevice({
            accountIds: [BENCH_ACCOUNT],
            deviceId,
            action: contracts.VmAction.VM_ACTION_RESTART_VM,
            snapshot: '',
            apkUrl: '',
            apkSha256: '',
            timeoutMs: '0',
            requestedBy: 'bench',
            waitMs: '0',
          });
          ids.push(answer.command!.commandId);
        } catch (error) {
          // Counted, not fatal: a refused or timed-out request is part of what the phase shows.
          notMade++;
          process.stderr.write(`restarts: a command was not made: ${(error as Error).message}\n`);
        }
      }
    }),
  );
  const madeInMs = Date.now() - began;
  const deadline = Date.now() + settings.restartMs * 3 + 60_000;
  for (;;) {
    const states =
      ids.length === 0
        ? []
        : await db.selectFrom('vm_commands').select('state').where('id', 'in', ids).execute();
    const finished = states.filter((row) => ['succeeded', 'failed', 'expired'].includes(row.state));
    if (finished.length === ids.length || Date.now() > deadline) {
      return {
        devices: devices.length,
        commandsNotMade: notMade,
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
function dropAndRecovery(
  timeline: Array<{ atMs: number; done: number }>,
  restartAtMs: number,
  steadyRate: number,
  gapMs: number,
  queueJobs: number,
) {
  // Windows one gap long (each device's one job), a second apart, from the restarts on, until
  // the queue is nearly empty (the tail would read as a drop).
  const runsLowAt = timeline.find((point) => point.done >= queueJobs * 0.95)?.atMs ?? timeline.at(-1)!.atMs;
  const windows: Array<{ atMs: number; rate: number }> = [];
  for (let endMs = restartAtMs + gapMs; endMs <= runsLowAt; endMs += 1_000) {
    windows.push({
      atMs: endMs,
      rate: (doneAt(timeline, endMs) - doneAt(timeline, endMs - gapMs)) / (gapMs / 1000),
    });
  }
  if (windows.length === 0)
    return { lowestPerSecond: null, dropPercent: null, backToFullRateAfterSeconds: null, watchedSeconds: 0 };
  const lowest = windows.reduce((min, w) => (w.rate < min.rate ? w : min));
  const back = windows.find((w) => w.atMs > lowest.atMs && w.rate >= steadyRate * 0.98);
  return {
    lowestPerSecond: round(lowest.rate),
    dropPercent: round(100 * (1 - lowest.rate / steadyRate)),
    lowestAtSeconds: round((lowest.atMs - restartAtMs) / 1000),
    // Null: not back to 98 % before the queue ran low (see watchedSeconds).
    backToFullRateAfterSeconds: back ? round((back.atMs - restartAtMs) / 1000) : null,
    watchedSeconds: round((runsLowAt - restartAtMs) / 1000),
  };
}

/** Jobs done at `atMs`, interpolated between the once-a-second samples. */
function doneAt(timeline: Array<{ atMs: number; done: number }>, atMs: number): number {
  const after = timeline.findIndex((point) => point.atMs >= atMs);
  if (after <= 0) return after === 0 ? timeline[0]!.done : timeline.at(-1)!.done;
  const a = timeline[after - 1]!;
  const b = timeline[after]!;
  return a.done + ((b.done - a.done) * (atMs - a.atMs)) / (b.atMs - a.atMs);
}

async function startAgents(
  devices: number,
  streams: number,
  numberBase: string,
  connectSpreadMs = 0,
): Promise<TargetProcess> {
  process.env.BENCH_FLEET_CONNECT_SPREAD_MS = String(connectSpreadMs);
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

/** Devices that finished jobs of this drain before `until`, and the mean time between two of a device's. */
async function deviceIntervals(
  label: string,
  until: Date,
): Promise<{ devices: number; meanMs: number | null }> {
  // From each device's second job on: the first one's result waits behind every device's first
  // (they all start at once), which would shorten the span and overstate the pace.
  const { rows } = await sql<{ jobs: string; span_ms: string }>`
    select count(*) as jobs, extract(epoch from max(updated_at) - min(updated_at)) * 1000 as span_ms
    from (
      select device_id, updated_at, row_number() over (partition by device_id order by updated_at) as nth
      from ${sql.table(`${FLEET_SCHEMA}.jobs`)}
      where state = 'done' and job_id like ${`job_${label}_%`} and updated_at <= ${until}
    ) as done
    where nth > 1
    group by device_id`.execute(db);
  const intervals = rows.reduce((sum, row) => sum + Number(row.jobs) - 1, 0);
  const spanMs = rows.reduce((sum, row) => sum + Number(row.span_ms), 0);
  return { devices: rows.length, meanMs: intervals > 0 ? spanMs / intervals : null };
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
  const conditions = value.conditions as { loadAverage: number[]; gitCommit: string | null };
  return [
    `hold:  ${h.devices} devices on ${h.streams} streams for ${h.seconds} s — fleet CPU ${h.fleetCpuPercent} % of a core ` +
      `(${h.fleetCpuMicrosecondsPerDeviceSecond} µs per device-second), RSS ${h.fleetRssMiB.start}→${h.fleetRssMiB.end} MiB ` +
      `(max ${h.fleetRssMiB.max}); its PostgreSQL backends ${h.postgresCpuPercent} %; agents CPU ${h.agentsCpuPercent} %; ` +
      `devices heard in the last 15 s: ${h.devicesHeard.after}/${h.devices}; connected in ${h.connectSeconds} s`,
    ...drains.map(
      (d) =>
        `drain (lookahead ${d.lookaheadMs}): ${d.completed}/${d.jobs} jobs in ${d.seconds} s on ${d.devices} devices at ${d.gapMs} ms — ` +
        `capacity ${d.capacityPerSecond}/s, steady ${d.steadyPerSecond}/s = ${d.shareOfCapacityPercent} % of capacity; ` +
        `per device one job every ${d.perDevice.meanSecondsBetweenJobs} s = ${d.perDevice.shareOfCapacityPercent} % of its pace ` +
        `(${d.perDevice.devicesThatDelivered} devices) ` +
        `(overall ${d.overallPerSecond}/s); steady CPU: fleet ${d.steadyCpu?.fleetCpuPercent} % ` +
        `(${d.fleetCpuMicrosecondsPerJob} µs a job), its PostgreSQL backends ${d.steadyCpu?.postgresCpuPercent} % ` +
        `(${d.postgresCpuMicrosecondsPerJob} µs a job), agents ${d.steadyCpu?.agentsCpuPercent} %; fleet RSS ${d.fleetRssMiB} MiB` +
        (d.restarts
          ? `\nrestarts: ${d.restarts.devices} devices (${d.restarts.succeeded} restarted, ${d.restarts.failed} not, ` +
            `${d.restarts.commandsNotMade} commands not made, made over ${round(d.restarts.commandsMadeInMs / 1000)} s) — ` +
            `lowest rate over a gap ${d.restarts.lowestPerSecond}/s (${d.restarts.lowestAtSeconds} s after), a drop of ` +
            `${d.restarts.dropPercent} % from the undisturbed rate; back to 98 % of it after ` +
            `${d.restarts.backToFullRateAfterSeconds ?? 'not within'} s (watched ${d.restarts.watchedSeconds} s)`
          : ''),
    ),
    `commit ${conditions.gitCommit}; load average before ${JSON.stringify(conditions.loadAverage)}, after the hold ` +
      `${JSON.stringify(h.loadAverageAfter)}, after the drain ${JSON.stringify(value.loadAverageAfter)}`,
  ].join('\n');
}

function loadAverage(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

function roundTo(value: number | null, digits: number): number | null {
  return value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;
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
