import type { common } from '@wagate/contracts';
import { startPump, type Pump } from '@wagate/outbox';
import { createLogger } from '@wagate/telemetry';
import type { Kysely, Selectable } from 'kysely';
import type { ConnectedDevice, DeviceSessions } from './agents/device-sessions.js';
import type { FleetTables, JobsTable } from './db/tables.js';
import { type ContactKind, countNewContacts, DevicePacer, type PacingOptions, utcDay } from './pacing.js';

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
}

/**
 * Hands queued jobs to connected devices that have credit and whose pace allows (see
 * pacing.ts). A recipient sticks to the device that first talked to them; jobs of one
 * conversation are offered in acceptance order (a later job never overtakes an earlier one
 * that is still waiting). A job no device may take yet stays queued, and the scheduler wakes
 * when the earliest paced device becomes free.
 */
export function startJobScheduler(
  db: Kysely<FleetTables>,
  sessions: DeviceSessions,
  options: SchedulerOptions = {},
): Pump {
  const pacer = new DevicePacer(options.pacing);
  const wake = wakeTimer(() => pump.kick(), pacer, options.wakeAt);
  // What the last pass that read the queue saw waiting for a pace: a pass that skips the
  // queue (every device inside its gap) wakes for that, not for whichever gap ends first.
  let waitingFor: ContactKind[] = [];

  async function assignOnce(): Promise<void> {
    const withCredit = sessions.withCredit();
    if (withCredit.length === 0) return;
    await pacer.load(db, withCredit);
    const now = pacer.now();
    // A device still inside its shortest gap can take nothing: no query on its behalf.
    const free = withCredit.filter((device) => pacer.allows(device, 'known', now));
    if (free.length === 0) {
      wake.at(earliestFree(withCredit, pacer, waitingFor.length > 0 ? waitingFor : ['known']));
      return;
    }
    let freeForNew = free.filter((device) => pacer.allows(device, 'new', now));
    const senderIds = [...new Set(free.map((device) => device.senderId!))];
    const credits = free.reduce((sum, device) => sum + device.credits, 0);
    // Look only a little past what free devices can take now: a deep queue must not make
    // every credit grant scan it (blocked conversations are skipped, hence the margin).
    const jobs = await db
      .selectFrom('jobs')
      .select(['job_id', 'sender_id', 'recipient', 'payload', 'traceparent'])
      .where('state', '=', 'queued')
      .where('sender_id', 'in', senderIds)
      .orderBy('seq')
      .limit(Math.min(500, 20 + 4 * credits))
      .execute();
    if (jobs.length === 0) {
      waitingFor = [];
      return;
    }
    const sticky = await stickyDevices(db, jobs);
    const blocked = new Set<string>();
    const paced = new Set<ContactKind>();
    const assignments: Array<{ job: QueuedJob; device: ConnectedDevice; newContact: boolean }> = [];
    for (const job of jobs) {
      const conversation = `${job.sender_id}/${job.recipient}`;
      if (blocked.has(conversation)) continue;
      const stickyId = sticky.get(conversation);
      const kind: ContactKind = stickyId ? 'known' : 'new';
      const device = stickyId ? sessions.get(stickyId) : leastBusy(freeForNew, job.sender_id);
      if (!device || device.credits <= 0 || device.senderId !== job.sender_id) {
        if (!stickyId) paced.add(kind);
        blocked.add(conversation);
        continue;
      }
      if (!pacer.allows(device, kind, now)) {
        paced.add(kind);
        blocked.add(conversation);
        continue;
      }
      device.credits--;
      pacer.record(device, kind, now);
      if (!pacer.allows(device, 'new', now)) freeForNew = freeForNew.filter((d) => d !== device);
      assignments.push({ job, device, newContact: !stickyId });
      // Later jobs of this conversation follow on the same device.
      sticky.set(conversation, device.deviceId);
    }
    // Jobs wait for a device's pace: wake when the first device that could take one is free.
    waitingFor = [...paced];
    if (paced.size > 0) wake.at(earliestFree(withCredit, pacer, waitingFor));
    if (assignments.length === 0) return;
    // Only jobs still queued are offered: another replica, or the validity sweep, may have
    // taken one since it was read.
    const claimed = new Set<string>();
    await db.transaction().execute(async (trx) => {
      const byDevice = Map.groupBy(assignments, (a) => a.device.deviceId);
      for (const [deviceId, batch] of byDevice) {
        const rows = await trx
          .updateTable('jobs')
          .set({ state: 'offered', device_id: deviceId, updated_at: new Date() })
          .where(
            'job_id',
            'in',
            batch.map((a) => a.job.job_id),
          )
          .where('state', '=', 'queued')
          .returning('job_id')
          .execute();
        for (const row of rows) claimed.add(row.job_id);
      }
      const contacts = assignments.filter((a) => a.newContact && claimed.has(a.job.job_id));
      const perDevice = new Map<string, number>();
      for (const { device } of contacts)
        perDevice.set(device.deviceId, (perDevice.get(device.deviceId) ?? 0) + 1);
      await countNewContacts(trx, perDevice, utcDay(now));
      if (contacts.length > 0) {
        await trx
          .insertInto('contacts')
          .values(
            contacts.map(({ job, device }) => ({
              sender_id: job.sender_id,
              recipient: job.recipient,
              device_id: device.deviceId,
            })),
          )
          .onConflict((conflict) => conflict.columns(['sender_id', 'recipient']).doNothing())
          .execute();
      }
    });
    for (const { job, device, newContact } of assignments) {
      if (claimed.has(job.job_id)) device.offer(toOffer(job, device.deviceId));
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
    if (device.senderId !== senderId || device.credits <= 0) continue;
    if (!best || device.credits > best.credits) best = device;
  }
  return best;
}

async function stickyDevices(db: Kysely<FleetTables>, jobs: QueuedJob[]): Promise<Map<string, string>> {
  // A superset (every pair of these senders and recipients) keeps the query simple and indexed.
  const rows = await db
    .selectFrom('contacts')
    .select(['sender_id', 'recipient', 'device_id'])
    .where('sender_id', 'in', [...new Set(jobs.map((job) => job.sender_id))])
    .where('recipient', 'in', [...new Set(jobs.map((job) => job.recipient))])
    .execute();
  return new Map(rows.map((row) => [`${row.sender_id}/${row.recipient}`, row.device_id]));
}
