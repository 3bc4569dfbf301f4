import type { common } from '@wagate/contracts';
import { startPump, type Pump } from '@wagate/outbox';
import { createLogger } from '@wagate/telemetry';
import type { Kysely, Selectable } from 'kysely';
import type { ConnectedDevice, DeviceSessions } from './agents/device-sessions.js';
import type { FleetTables, JobsTable } from './db/tables.js';
import { offerJobs } from './offer-jobs.js';
import { type ContactKind, DAY_MS, DevicePacer, type PacingOptions, utcDay } from './pacing.js';
import { fleetMetrics } from './metrics.js';

const log = createLogger('fleet:scheduler');

type QueuedJob = Pick<
  Selectable<JobsTable>,
  'job_id' | 'sender_id' | 'recipient' | 'payload' | 'traceparent'
>;

export interface SchedulerOptions {
  pacing?: Partial<PacingOptions>;
  /**
   * Arranges one more pass at `atMs` (on the pacing clock), when a paced device becomes free.
   * Default: a timer. Tests inject their own to see when the scheduler means to wake.
   */
  wakeAt?: (atMs: number, wake: () => void) => void;
  /**
   * How far ahead a pass prepares offers: a device free within this much time is given its
   * job now (claimed in the database), and the offer reaches it exactly when its pace allows.
   * So the time a pass takes does not add to every gap. Default 1 s; 0 prepares none early.
   */
  lookaheadMs?: number;
  /** Hands a prepared offer over at `atMs` (pacing clock). Default: a timer. Tests inject their own. */
  offerAt?: (atMs: number, offer: () => void) => void;
}

const DEFAULT_LOOKAHEAD_MS = 1_000;

/**
 * Hands queued jobs to connected devices that have credit and whose pace allows (see
 * pacing.ts). A recipient sticks to the device that first talked to them; jobs of one
 * conversation are offered in acceptance order (a later job never overtakes an earlier one
 * that is still waiting). A job no device may take yet stays queued, and the scheduler wakes
 * when the earliest paced device becomes free.
 */
export interface JobScheduler extends Pump {
  /** The pace of the devices this process holds (read by waiting-reason.ts). */
  readonly pacer: DevicePacer;
}

export function startJobScheduler(
  db: Kysely<FleetTables>,
  sessions: DeviceSessions,
  options: SchedulerOptions = {},
): JobScheduler {
  const pacer = new DevicePacer(options.pacing);
  const wake = wakeTimer(() => pump.kick(), pacer, options.wakeAt);
  const lookaheadMs = options.lookaheadMs ?? DEFAULT_LOOKAHEAD_MS;
  const offerAt = options.offerAt ?? ((atMs, offer) => runAt(pacer, atMs, offer));
  // The scheduler wakes this much before a device is free, to have its offer ready in time;
  // never across a UTC midnight, so an offer counts on the day it is handed over.
  const wakeBefore = (atMs: number) => wake.at(Math.max(atMs - lookaheadMs, startOfUtcDay(atMs)));
  // What the last pass that read the queue saw waiting for a pace: a pass that skips the
  // queue (every device inside its gap) wakes for that, not for whichever gap ends first.
  let waitingFor: ContactKind[] = [];

  async function assignOnce(): Promise<void> {
    const withCredit = sessions.withCredit();
    if (withCredit.length === 0) return;
    await pacer.load(db, withCredit);
    const now = pacer.now();
    const horizon = Math.min(now + lookaheadMs, startOfUtcDay(now) + DAY_MS - 1);
    // A device still inside its shortest gap can take nothing: no query on its behalf.
    const free = withCredit.filter((device) => pacer.allows(device, 'known', horizon));
    if (free.length === 0) {
      wakeBefore(earliestFree(withCredit, pacer, waitingFor.length > 0 ? waitingFor : ['known']));
      return;
    }
    let freeForNew = free.filter((device) => pacer.allows(device, 'new', horizon));
    const senderIds = [...new Set(free.map((device) => device.senderId!))];
    const credits = free.reduce((sum, device) => sum + device.credits, 0);
    // Look only a little past what free devices can take now: a deep queue must not make
    // every credit grant scan it (blocked conversations are skipped, hence the margin).
    const jobs = await queuedJobs(db, senderIds, Math.min(500, 20 + 4 * credits)).execute();
    if (jobs.length === 0) {
      waitingFor = [];
      return;
    }
    const sticky = new Map<string, string>();
    for (const job of jobs) {
      if (job.sticky_device_id) sticky.set(`${job.sender_id}/${job.recipient}`, job.sticky_device_id);
    }
    const blocked = new Set<string>();
    const paced = new Set<ContactKind>();
    const assignments: Array<{ job: QueuedJob; device: ConnectedDevice; newContact: boolean; atMs: number }> =
      [];
    for (const job of jobs) {
      const conversation = `${job.sender_id}/${job.recipient}`;
      if (blocked.has(conversation)) continue;
      const stickyId = sticky.get(conversation);
      const kind: ContactKind = stickyId ? 'known' : 'new';
      const device = stickyId ? sessions.get(stickyId) : leastBusy(freeForNew, job.sender_id);
      if (!device || device.accepting === false || device.credits <= 0 || device.senderId !== job.sender_id) {
        if (!stickyId) paced.add(kind);
        blocked.add(conversation);
        continue;
      }
      if (!pacer.allows(device, kind, horizon)) {
        paced.add(kind);
        blocked.add(conversation);
        continue;
      }
      device.credits--;
      // The offer goes out when the device's pace allows, never before.
      const atMs = Math.max(now, pacer.freeAt(device, kind));
      if (atMs > now) fleetMetrics().pacingWaits.add(1, { contact: kind });
      pacer.record(device, kind, atMs);
      if (!pacer.allows(device, 'new', horizon)) freeForNew = freeForNew.filter((d) => d !== device);
      assignments.push({ job, device, newContact: !stickyId, atMs });
      // Later jobs of this conversation follow on the same device.
      sticky.set(conversation, device.deviceId);
    }
    // Jobs wait for a device's pace: wake when the first device that could take one is free.
    waitingFor = [...paced];
    if (paced.size > 0) wakeBefore(earliestFree(withCredit, pacer, waitingFor));
    if (assignments.length === 0) return;
    const { claimed, heldElsewhere } = await offerJobs(
      db,
      assignments.map(({ job, device, newContact }) => ({
        jobId: job.job_id,
        deviceId: device.deviceId,
        streamId: device.streamId,
        newContact,
      })),
      utcDay(now),
    );
    for (const deviceId of heldElsewhere) {
      // Its agent connected to another stream (another replica, or this one again) while this
      // entry lived on: the entry is stale, and its jobs belong to that stream's process now.
      const stale = assignments.find((a) => a.device.deviceId === deviceId)?.device;
      if (stale) sessions.detach(stale);
      log.warn({ deviceId }, 'device held by another agent stream: no longer offered jobs here');
    }
    for (const { job, device, newContact, atMs } of assignments) {
      if (claimed.has(job.job_id)) offerAt(atMs, () => device.offer(toOffer(job, device.deviceId)));
      else {
        device.credits++;
        pacer.forget(device, newContact ? 'new' : 'known');
      }
    }
    log.debug({ offered: assignments.length }, 'jobs offered');
  }

  const pump = startPump({
    drainOnce: assignOnce,
    pollMs: 1_000,
    onError: (error) => log.error({ err: error }, 'job assignment failed'),
  });
  return {
    pacer,
    kick: pump.kick,
    flush: pump.flush,
    async stop() {
      wake.stop();
      await pump.stop();
    },
  };
}

/** When the first of these devices (still with credit) may take a job of one of these kinds. */
function earliestFree(devices: ConnectedDevice[], pacer: DevicePacer, kinds: ContactKind[]): number {
  let earliest = Number.POSITIVE_INFINITY;
  for (const device of devices) {
    if (device.credits <= 0) continue;
    for (const kind of kinds) earliest = Math.min(earliest, pacer.freeAt(device, kind));
  }
  return earliest;
}

function startOfUtcDay(ms: number): number {
  return utcDay(ms) * DAY_MS;
}

/** Runs `fn` at `atMs` on the pacing clock: now if that has come. */
function runAt(pacer: DevicePacer, atMs: number, fn: () => void): void {
  const delay = atMs - pacer.now();
  if (delay <= 0) fn();
  else setTimeout(fn, delay).unref();
}

/** One pending wake-up at a time, the earliest asked for; none for "never". */
function wakeTimer(
  kick: () => void,
  pacer: DevicePacer,
  wakeAt: SchedulerOptions['wakeAt'],
): { at(atMs: number): void; stop(): void } {
  let due = Number.POSITIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    due = Number.POSITIVE_INFINITY;
    timer = undefined;
    kick();
  };
  return {
    at(atMs) {
      if (!Number.isFinite(atMs) || atMs >= due) return;
      due = atMs;
      if (wakeAt) return wakeAt(atMs, fire);
      clearTimeout(timer);
      timer = setTimeout(fire, Math.max(0, atMs - pacer.now()));
      timer.unref();
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

export function toOffer(job: QueuedJob, deviceId: string) {
  return {
    jobId: job.job_id,
    deviceId,
    message: job.payload as unknown as common.OutboundMessage,
    traceparent: job.traceparent,
  };
}

function leastBusy(devices: ConnectedDevice[], senderId: string): ConnectedDevice | undefined {
  let best: ConnectedDevice | undefined;
  for (const device of devices) {
    if (device.senderId !== senderId || device.credits <= 0 || device.accepting === false) continue;
    if (!best || device.credits > best.credits) best = device;
  }
  return best;
}

/**
 * The job queue's read: the oldest queued jobs of these senders, with the device each
 * recipient already talks to. It walks the partial index of queued jobs (`jobs_queued_seq`):
 * analysed, the planner would otherwise walk the primary key in queue order through every
 * finished job before the queued ones (test/claim-plans.test.ts shows the plan).
 */
export function queuedJobs(db: Kysely<FleetTables>, senderIds: string[], limit: number) {
  return db
    .selectFrom('jobs')
    // Stickiness in the same round trip: the device each recipient already talks to.
    .leftJoin('contacts', (join) =>
      join
        .onRef('contacts.sender_id', '=', 'jobs.sender_id')
        .onRef('contacts.recipient', '=', 'jobs.recipient'),
    )
    .select([
      'jobs.job_id',
      'jobs.sender_id',
      'jobs.recipient',
      'jobs.payload',
      'jobs.traceparent',
      'contacts.device_id as sticky_device_id',
    ])
    .where('jobs.state', '=', 'queued')
    .where('jobs.sender_id', 'in', senderIds)
    .orderBy('jobs.seq')
    .limit(limit);
}
