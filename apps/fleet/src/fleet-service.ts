import { type Bus, type Subscription, tracedHandler } from '@wagate/bus';
import {
  type AcceptedForSending,
  acceptedMessagesOf,
  type MessageAcceptedEvent,
  type MessagesAcceptedEvent,
  Topics,
} from '@wagate/contracts';
import { createGroupCommit, type Database, migrateSchema, withSchema } from '@wagate/db';
import { prefixedId } from '@wagate/ids';
import { startOutboxRelay } from '@wagate/outbox';
import type { ServiceMount } from '@wagate/rpc';
import {
  activeContext,
  contextFromHeaders,
  createLogger,
  currentTraceparent,
  inSpan,
  SpanKind,
} from '@wagate/telemetry';
import type { Kysely } from 'kysely';
import { DeviceSessions } from './agents/device-sessions.js';
import { fleetMigrations } from './db/migrations.js';
import { FLEET_SCHEMA, type FleetTables } from './db/tables.js';
import {
  receiptSpan,
  recordInbound,
  recordJobResults,
  recordReceipts,
  resultSpan,
  type Traced,
} from './device-reports.js';
import { reportBatches } from './report-batches.js';
import type { DeliveryReceipt, JobOutcome } from './agents/agent-reports.js';
import { startValiditySweep } from './expire-jobs.js';
import { type SchedulerOptions, startJobScheduler, toOffer } from './job-scheduler.js';
import { deviceQueries } from './devices.js';
import {
  createEnrolmentToken,
  ensureBootstrapToken,
  type IssuedEnrolmentToken,
  type NewEnrolmentToken,
} from './enrolment.js';
import { startDeviceHealth } from './health/device-health.js';
import { observeFleet } from './metrics.js';
import { defaultThresholds, type HealthThresholds } from './health/health-rules.js';
import { type RecoveryOptions, recoverStuckDevices } from './health/recovery.js';
import { ensureSender } from './senders.js';
import { startRollouts } from './vm/rollouts.js';
import { startVmCommandHub } from './vm/vm-commands.js';
import { mountAgentGatewayGrpc } from './grpc/agent-gateway.js';
import { mountFleetGrpc } from './grpc/fleet-handlers.js';

const log = createLogger('fleet');

/** Jobs queued in one statement at most (events handled at once go together; a larger event goes alone). */
const JOB_GROUP_MAX = 500;

export interface FleetService {
  /** The internal plane: FleetService, for the api and dispatch. */
  grpc: ServiceMount;
  /** The agent plane: the agent stream (enrolment happens on it), on its own listener. */
  agentGrpc: ServiceMount;
  /** Creates the sender if missing; unbound devices that connect join its pool. */
  ensureDefaultSender(accountId: string, name: string): Promise<{ senderId: string }>;
  /**
   * Binds devices (all of them when `deviceIds` is not given) to the account's sender `name`,
   * made if missing: they serve that sender from their next job on. Jobs already offered stay
   * where they are.
   */
  bindDevices(accountId: string, name: string, deviceIds?: string[]): Promise<{ senderId: string }>;
  /** An enrolment token for the account (the embedded gateway makes one for its own agent). */
  createEnrolmentToken(request: NewEnrolmentToken): Promise<IssuedEnrolmentToken>;
  /** Makes `secret` a long-lived many-use token of the account (WAGATE_ENROLMENT_TOKEN). */
  ensureBootstrapToken(accountId: string, secret: string, sender?: string): Promise<void>;
  /** Advances running rollouts now (tests; a timer does it every second). */
  tickRollouts(): Promise<void>;
  /** The health sweep, run by hand (tests): offline devices, automatic quarantine, recovery. */
  sweepHealth(now?: Date): Promise<void>;
  stop(): Promise<void>;
}

export interface FleetOptions {
  database: Database;
  bus: Bus;
  /** Overrides of the health thresholds (docs/fleet.md); `heartbeatIntervalMs` sets the others' defaults. */
  health?: Partial<HealthThresholds>;
  /** When a device counts as stuck and gets a VM restart command; no recovery when absent. */
  recovery?: RecoveryOptions;
  /** How often VM commands made on another replica, and deadlines, are looked at (default 1 s). */
  vmCommandPollMs?: number;
  /** Per-device pacing (defaults in pacing.ts, docs/pacing.md); tests and the demo run faster. */
  scheduler?: SchedulerOptions;
}

/** Creates or updates the fleet service's tables (also the migration Job's migrate-only mode). */
export function migrateFleetSchema(database: Database): Promise<void> {
  return migrateSchema(database, FLEET_SCHEMA, fleetMigrations);
}

export async function startFleet(deps: FleetOptions): Promise<FleetService> {
  await migrateFleetSchema(deps.database);
  const db = withSchema<FleetTables>(deps.database, FLEET_SCHEMA);
  const sessions = new DeviceSessions();
  const relay = startOutboxRelay({ db, bus: deps.bus, name: 'fleet' });
  const scheduler = startJobScheduler(db, sessions, deps.scheduler);
  const validity = startValiditySweep(db, () => relay.kick());
  const limits = { ...defaultThresholds(deps.health?.heartbeatIntervalMs), ...deps.health };
  const recovery = deps.recovery;
  const vmCommands = startVmCommandHub(db, {
    onRecorded: () => relay.kick(),
    ...(deps.vmCommandPollMs ? { pollMs: deps.vmCommandPollMs } : {}),
  });
  const rollouts = startRollouts(db, vmCommands, deps.vmCommandPollMs);
  const restartStuckVm = (deviceId: string) =>
    vmCommands.create({
      deviceId,
      action: 'restart_vm',
      requestedBy: 'fleet (stuck device)',
    });
  const health = startDeviceHealth({
    db,
    sessions,
    limits,
    onChange: () => relay.kick(),
    onAccepting: () => scheduler.kick(),
    ...(recovery
      ? {
          afterSweep: (now: Date) =>
            recoverStuckDevices(db, recovery, now, () => relay.kick(), restartStuckVm),
        }
      : {}),
  });
  const devices = deviceQueries(db, sessions, health, scheduler.pacer);
  const stopObserving = observeFleet(db);
  let defaultSender: { id: string; accountId: string } | undefined;

  // Every stream's results and receipts, a batch at a time (report-batches.ts): one transaction
  // per batch instead of one per report. A few lanes each (by job, by message): a slow database
  // keeps several connections busy instead of one (the pool has 10; the scheduler and the relay
  // need theirs).
  const results = reportBatches({
    write: (reports: Array<Traced<JobOutcome>>) => recordJobResults(db, reports),
    maxReports: 250,
    lanes: 3,
    keyOf: (report) => report.report.jobId,
  });
  const receipts = reportBatches({
    write: (reports: Array<Traced<DeliveryReceipt>>) => recordReceipts(db, reports),
    maxReports: 250,
    lanes: 2,
    keyOf: (report) => report.report.messageId,
  });
  const agentGrpc = mountAgentGatewayGrpc({
    db,
    sessions,
    health,
    defaultSender: () => defaultSender,
    onCapacity: () => scheduler.kick(),
    async onResult(result) {
      const recorded = await inSpan('fleet.record-result', resultSpan(result), () =>
        results.submit({ report: result, context: activeContext() }),
      );
      if (recorded) {
        relay.kick();
        await health.result(result);
      }
    },
    async onReceipt(receipt) {
      const recorded = await inSpan('fleet.record-receipt', receiptSpan(receipt), () =>
        receipts.submit({ report: receipt, context: activeContext() }),
      );
      if (recorded) relay.kick();
    },
    async onInbound(inbound) {
      if (await recordInbound(db, inbound)) relay.kick();
      else
        log.warn({ deviceId: inbound.deviceId }, 'inbound message from a device in no sender pool dropped');
    },
    vmCommands,
    async unfinishedOffers(deviceIds) {
      if (deviceIds.length === 0) return [];
      const jobs = await db
        .selectFrom('jobs')
        .select(['job_id', 'sender_id', 'recipient', 'payload', 'traceparent', 'device_id'])
        .where('state', '=', 'offered')
        .where('device_id', 'in', deviceIds)
        .orderBy('seq')
        .execute();
      return jobs.map((job) => toOffer(job, job.device_id!));
    },
  });

  // Events handled at once (up to the consumer's in-flight limit) share one insert. An
  // account's events go through one lane, one group at a time, in the order they arrive (the
  // stream's), and an event's messages stay together: so a conversation's jobs are queued in
  // acceptance order, while the account's events still share inserts.
  const senderIds: SenderIds = new Map();
  const jobQueue = createGroupCommit<JobToQueue[], undefined>({
    async run(batches) {
      const outcomes = await enqueueJobs(db, batches, senderIds);
      scheduler.kick();
      return outcomes;
    },
    sizeOf: (batch) => batch.length,
    maxSize: JOB_GROUP_MAX,
    concurrency: 1,
    lanes: { count: 2, keyOf: (batch) => batch[0]?.message.accountId ?? '' },
  });
  const accepted: Subscription = await deps.bus.consume<MessagesAcceptedEvent>({
    topic: Topics.messageAccepted,
    group: 'fleet',
    handler: tracedHandler(
      'fleet.enqueue-jobs',
      (delivery) => ({ 'wagate.account_id': delivery.data.accountId }),
      (data, delivery) =>
        queueInOwnTraces(acceptedMessagesOf(data, delivery.headers), (batch) => jobQueue.submit(batch)),
    ),
  });

  return {
    grpc: mountFleetGrpc({ db, sessions, scheduler, devices, vmCommands, rollouts }),
    agentGrpc,
    async bindDevices(accountId, name, deviceIds) {
      const sender = await ensureSender(db, accountId, name);
      let update = db.updateTable('devices').set({ sender_id: sender.id });
      if (deviceIds) update = update.where('id', 'in', deviceIds);
      const bound = await update.returning('id').execute();
      for (const device of bound) sessions.rebind(device.id, sender.id);
      scheduler.kick();
      return { senderId: sender.id };
    },
    async ensureDefaultSender(accountId, name) {
      const sender = await ensureSender(db, accountId, name);
      defaultSender = { id: sender.id, accountId };
      // The account's devices that registered before the sender existed join it now.
      await db
        .updateTable('devices')
        .set({ sender_id: sender.id })
        .where('sender_id', 'is', null)
        .where('account_id', '=', accountId)
        .execute();
      return { senderId: sender.id };
    },
    createEnrolmentToken: (request) => createEnrolmentToken(db, request),
    ensureBootstrapToken: (accountId, secret, sender) => ensureBootstrapToken(db, accountId, secret, sender),
    sweepHealth: (now) => health.sweepOnce(now),
    tickRollouts: () => rollouts.tick(),
    async stop() {
      stopObserving();
      await accepted.close();
      await rollouts.stop();
      await vmCommands.stop();
      await health.stop();
      await scheduler.stop();
      await validity.stop();
      await relay.stop();
    },
  };
}

/**
 * Sender ids by account and name, as enqueueing finds them. A sender is never renamed or
 * deleted, so a known id stays right; an unknown one is looked up each time (it may be created).
 */
type SenderIds = Map<string, string>;
/** Far more senders than one fleet serves; past it the map starts again rather than grow. */
const SENDER_IDS_KEPT = 100_000;

/** A message of a `message.accepted` event to queue, with its trace (the job carries it on). */
interface JobToQueue {
  message: MessageAcceptedEvent;
  traceparent: string;
}

/**
 * Queues an event's messages as one batch, each in a `fleet.enqueue-job` span of its own send's
 * trace (the job carries that trace on to the device); resolves once all are queued, so the
 * event is acked then. A redelivery queues none twice (one job per message id).
 */
async function queueInOwnTraces(
  messages: AcceptedForSending[],
  queue: (batch: JobToQueue[]) => Promise<unknown>,
): Promise<void> {
  const queued = Promise.withResolvers<void>();
  const batch: JobToQueue[] = [];
  // inSpan runs each callback at once up to its first await: the batch is whole below, and
  // every span stays open until the batch is written (a failure shows in each message's trace).
  const spans = Promise.all(
    messages.map(({ trace, ...message }) =>
      inSpan(
        'fleet.enqueue-job',
        {
          kind: SpanKind.CONSUMER,
          parent: contextFromHeaders(trace),
          attributes: { 'wagate.message_id': message.messageId, 'wagate.account_id': message.accountId },
        },
        () => {
          batch.push({ message, traceparent: currentTraceparent() });
          return queued.promise;
        },
      ),
    ),
  );
  queue(batch).then(() => queued.resolve(), queued.reject);
  await spans;
}

/**
 * Queues a job once per message, however often its event is delivered: the events handled
 * together (one batch each) are written in one statement, in order (a group commit, see
 * `createGroupCommit`). A batch with a message whose sender fleet does not know gets an error
 * back (its event is redelivered); every other message is queued.
 */
async function enqueueJobs(
  db: Kysely<FleetTables>,
  batches: readonly JobToQueue[][],
  senderIds: SenderIds,
): Promise<Array<Error | undefined>> {
  const jobs = batches.flat();
  const keyOf = (message: JobToQueue['message']) => `${message.accountId}\u0000${message.sender}`;
  const unknown = [
    ...new Map(
      jobs
        .filter(({ message }) => !senderIds.has(keyOf(message)))
        .map(({ message }) => [keyOf(message), message]),
    ).values(),
  ];
  if (unknown.length > 0) {
    const senders = await db
      .selectFrom('senders')
      .select(['id', 'account_id', 'name'])
      .where((eb) =>
        eb.or(
          unknown.map((message) =>
            eb.and([eb('account_id', '=', message.accountId), eb('name', '=', message.sender)]),
          ),
        ),
      )
      .execute();
    if (senderIds.size + senders.length > SENDER_IDS_KEPT) senderIds.clear();
    for (const sender of senders) senderIds.set(`${sender.account_id}\u0000${sender.name}`, sender.id);
  }
  const idOf = ({ message }: JobToQueue) => senderIds.get(keyOf(message));
  const known = jobs.filter((job) => idOf(job) !== undefined);
  if (known.length > 0) {
    const updatedAt = new Date();
    await db
      .insertInto('jobs')
      .values(
        known.map((job) => ({
          message_id: job.message.messageId,
          job_id: prefixedId('job'),
          account_id: job.message.accountId,
          sender_id: idOf(job)!,
          recipient: job.message.recipient,
          device_id: null,
          state: 'queued',
          payload: JSON.stringify(job.message),
          traceparent: job.traceparent,
          updated_at: updatedAt,
        })),
      )
      .onConflict((conflict) => conflict.column('message_id').doNothing())
      .execute();
  }
  return batches.map((batch) => {
    const unqueued = batch.find((job) => idOf(job) === undefined);
    return unqueued
      ? new Error(`sender ${unqueued.message.sender} of ${unqueued.message.accountId} is unknown to fleet`)
      : undefined;
  });
}
