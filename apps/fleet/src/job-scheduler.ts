import type { common } from '@wagate/contracts';
import { startPump, type Pump } from '@wagate/outbox';
import { createLogger } from '@wagate/telemetry';
import type { Kysely, Selectable } from 'kysely';
import type { ConnectedDevice, DeviceSessions } from './agents/device-sessions.js';
import type { FleetTables, JobsTable } from './db/tables.js';

const log = createLogger('fleet:scheduler');

type QueuedJob = Pick<
  Selectable<JobsTable>,
  'job_id' | 'sender_id' | 'recipient' | 'payload' | 'traceparent'
>;

/**
 * Hands queued jobs to connected devices that have credit. A recipient sticks to the device
 * that first talked to them; jobs of one conversation are offered in acceptance order (a
 * later job never overtakes an earlier one that is still waiting).
 */
export function startJobScheduler(db: Kysely<FleetTables>, sessions: DeviceSessions): Pump {
  async function assignOnce(): Promise<void> {
    const free = sessions.withCredit();
    if (free.length === 0) return;
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
    if (jobs.length === 0) return;
    const sticky = await stickyDevices(db, jobs);
    const blocked = new Set<string>();
    const assignments: Array<{ job: QueuedJob; device: ConnectedDevice; newContact: boolean }> = [];
    for (const job of jobs) {
      const conversation = `${job.sender_id}/${job.recipient}`;
      if (blocked.has(conversation)) continue;
      const stickyId = sticky.get(conversation);
      const device = stickyId ? sessions.get(stickyId) : leastBusy(free, job.sender_id);
      if (!device || device.accepting === false || device.credits <= 0 || device.senderId !== job.sender_id) {
        blocked.add(conversation);
        continue;
      }
      device.credits--;
      assignments.push({ job, device, newContact: !stickyId });
      // Later jobs of this conversation follow on the same device.
      sticky.set(conversation, device.deviceId);
    }
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
    for (const { job, device } of assignments) {
      if (claimed.has(job.job_id)) device.offer(toOffer(job, device.deviceId));
      else device.credits++;
    }
    log.debug({ offered: assignments.length }, 'jobs offered');
  }

  return startPump({
    drainOnce: assignOnce,
    pollMs: 1_000,
    onError: (error) => log.error({ err: error }, 'job assignment failed'),
  });
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
