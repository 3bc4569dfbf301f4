import { openBus } from '@wagate/bus';
import { type MessageStatusEvent, Topics } from '@wagate/contracts';
import type { Database } from '@wagate/db';
import { withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { type Agent, createSimDriver, type SendJob, type SimDriver, startAgent } from '@wagate/device-agent';
import { closeGrpcChannels, type GrpcServer, PLAINTEXT_LOOPBACK, startLoopbackGrpcServer } from '@wagate/rpc';
import { createLogger } from '@wagate/telemetry';
import { afterAll, expect, test, vi } from 'vitest';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { type FleetService, startFleet } from '../src/index.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 15_000, interval: 25 });
const postgres = databaseAdapters().find((adapter) => adapter.name === 'postgres')!;

/** A simulated phone that records what it sends and, while held, keeps sends from finishing. */
function recordingPhone(phoneNumber: string) {
  const driver = createSimDriver({ phoneNumber, seed: 3, sendDelayMs: { min: 1, max: 5 } });
  const started: string[] = [];
  let release = () => {};
  let gate = Promise.resolve();
  const phone: SimDriver = {
    ...driver,
    async send(job: SendJob) {
      started.push(job.jobId);
      await gate;
      return driver.send(job);
    },
  };
  return {
    phone,
    started,
    hold() {
      gate = new Promise((resolve) => {
        release = resolve;
      });
    },
    release: () => release(),
  };
}

afterAll(() => closeGrpcChannels());

test('a job out on a device whose stream dropped waits for that device, and is reported once', async () => {
  const database: Database = await postgres.open();
  const bus = await openBus('memory://');
  let fleet: FleetService | undefined;
  let server: GrpcServer | undefined;
  const agents: Agent[] = [];
  const logger = createLogger('in-flight-test');
  logger.level = 'silent';
  try {
    fleet = await startFleet({
      database,
      bus,
      scheduler: { pacing: { newContactGapMs: 0, knownContactGapMs: 0, warmup: [] } },
    });
    const { senderId } = await fleet.ensureDefaultSender('acc_1', 'MyCompany');
    await fleet.ensureBootstrapToken('acc_1', 'token-in-flight');
    server = await startLoopbackGrpcServer('agent', [fleet.agentGrpc], PLAINTEXT_LOOPBACK);
    const proxy = await startTcpProxy(server.address);
    const db = withSchema<FleetTables>(database, FLEET_SCHEMA);
    const statuses: MessageStatusEvent[] = [];
    await bus.consume<MessageStatusEvent>({
      topic: Topics.messageStatus,
      group: 'test',
      handler: async (delivery) => {
        statuses.push(delivery.data);
      },
    });

    let seq = 0;
    const queue = async (recipient: string) => {
      seq++;
      const messageId = String(seq);
      await db
        .insertInto('jobs')
        .values({
          message_id: messageId,
          job_id: `job_${seq}`,
          account_id: 'acc_1',
          sender_id: senderId,
          recipient,
          device_id: null,
          state: 'queued',
          payload: JSON.stringify({
            messageId,
            accountId: 'acc_1',
            sender: 'MyCompany',
            recipient,
            text: `hello ${seq}`,
            acceptedAtMs: String(Date.now()),
          }),
          traceparent: '',
          updated_at: new Date(),
        })
        .execute();
      return `job_${seq}`;
    };
    const job = (jobId: string) =>
      db
        .selectFrom('jobs')
        .select(['state', 'device_id'])
        .where('job_id', '=', jobId)
        .executeTakeFirstOrThrow();
    const connect = (agentId: string, phone: SimDriver, address: string) => {
      const agent = startAgent({
        fleetAddress: address,
        fleetSecurity: PLAINTEXT_LOOPBACK,
        agentId,
        enrolmentToken: 'token-in-flight',
        drivers: [phone],
        reconnect: { minMs: 20, maxMs: 100 },
        logger,
      });
      agents.push(agent);
      return agent;
    };

    // Phone A, behind the proxy, starts a send that does not finish yet.
    const a = recordingPhone('79990000001');
    a.hold();
    const agentA = connect('agent-a', a.phone, proxy.address);
    await waitFor(() => expect(agentA.connected()).toBe(true));
    const first = await queue('79161230001');
    await waitFor(() => expect(a.started).toEqual([first]));

    // A's stream drops mid-send; phone B joins the pool.
    proxy.cut();
    await waitFor(() => expect(agentA.connected()).toBe(false));
    const b = recordingPhone('79990000002');
    const agentB = connect('agent-b', b.phone, server.address);
    await waitFor(() => expect(agentB.connected()).toBe(true));
    // B works (it takes a new contact), but neither the job out on A nor A's next message to
    // the same recipient goes to B.
    const second = await queue('79161230002');
    const followUp = await queue('79161230001');
    await waitFor(async () => expect((await job(second)).state).toBe('done'));
    expect(b.started).toEqual([second]);
    expect(await job(first)).toMatchObject({ state: 'offered' });
    expect(await job(followUp)).toMatchObject({ state: 'queued' });

    // The send finishes while A is cut off; A comes back and reports it.
    a.release();
    proxy.restore();
    await waitFor(async () => {
      expect((await job(first)).state).toBe('done');
      expect((await job(followUp)).state).toBe('done');
    });
    expect(a.started).toEqual([first, followUp]);
    expect(b.started).toEqual([second]);
    // The device's result (repeated after the reconnect) became exactly one outcome; the
    // receipts that follow it are not outcomes.
    const outcomes = () =>
      statuses.filter((status) => status.messageId === '1' && !['DELIVERED', 'READ'].includes(status.status));
    await waitFor(() => expect(outcomes()).toHaveLength(1));
    expect(outcomes()).toEqual([expect.objectContaining({ status: 'SENT', errorCode: 0 })]);
    await proxy.close();
  } finally {
    await Promise.all(agents.map((agent) => agent.stop()));
    await server?.shutdown();
    await fleet?.stop();
    await bus.close();
    await database.close();
  }
});
