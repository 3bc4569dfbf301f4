import { openBus } from '@wagate/bus';
import { type MessageInboundEvent, type MessageStatusEvent, Topics } from '@wagate/contracts';
import { withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { closeGrpcChannels, PLAINTEXT_LOOPBACK, startLoopbackGrpcServer } from '@wagate/rpc';
import { afterAll, expect, test, vi } from 'vitest';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { startFleet } from '../src/index.js';
import { jobRow } from './support/job-rows.js';
import { rawAgent, simDevice } from './support/raw-agent.js';

const postgres = databaseAdapters().find((adapter) => adapter.name === 'postgres')!;
afterAll(() => closeGrpcChannels());


test("an agent's results and inbound messages for another account's device are dropped", async () => {
  const database = await postgres.open();
  const bus = await openBus('memory://');
  const fleet = await startFleet({
    database,
    bus,
    scheduler: { pacing: { newContactGapMs: 0, knownContactGapMs: 0 } },
  });
  const server = await startLoopbackGrpcServer('agent', [fleet.agentGrpc], PLAINTEXT_LOOPBACK);
  const agents: Array<ReturnType<typeof rawAgent>> = [];
  try {
    await fleet.ensureDefaultSender('acc_victim', 'Victim');
    await fleet.ensureBootstrapToken('acc_victim', 'token-victim', 'Victim');
    await fleet.ensureBootstrapToken('acc_rogue', 'token-rogue');
    const inbound: MessageInboundEvent[] = [];
    const statuses: MessageStatusEvent[] = [];
    await bus.consume<MessageInboundEvent>({
      topic: Topics.messageInbound,
      group: 'test',
      handler: async (delivery) => {
        inbound.push(delivery.data);
      },
    });
    await bus.consume<MessageStatusEvent>({
      topic: Topics.messageStatus,
      group: 'test',
      handler: async (delivery) => {
        statuses.push(delivery.data);
      },
    });

    const victim = rawAgent(server.address, {
      agentId: 'agent-victim',
      enrolmentToken: 'token-victim',
      credential: '',
      devices: [simDevice('phone-v', '79990000011')],
    });
    agents.push(victim);
    const victimDevice = (await victim.welcome()).devices[0]!.deviceId;
    const rogue = rawAgent(server.address, {
      agentId: 'agent-rogue',
      enrolmentToken: 'token-rogue',
      credential: '',
      devices: [simDevice('phone-r', '79990000022')],
    });
    agents.push(rogue);
    await rogue.welcome();

    // A job the victim's device holds.
    const db = withSchema<FleetTables>(database, FLEET_SCHEMA);
    const sender = await db
      .selectFrom('senders')
      .select('id')
      .where('account_id', '=', 'acc_victim')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('jobs')
      .values(
        jobRow(77, '79161230077', {
          account_id: 'acc_victim',
          sender_id: sender.id,
          device_id: victimDevice,
          state: 'offered',
        }),
      )
      .execute();

    // The rogue claims to be the victim's device: a forged result and a forged incoming message.
    rogue.send({
      kind: {
        $case: 'result',
        value: {
          jobId: 'job_77',
          deviceId: victimDevice,
          messageId: '77',
          sent: true,
          errorCode: 0,
          atMs: '1',
          traceparent: '',
        },
      },
    });
    rogue.send({
      kind: {
        $case: 'inbound',
        value: {
          deviceId: victimDevice,
          deviceMessageKey: 'forged-1',
          from: '79160000000',
          text: 'forged',
          profileName: '',
          atMs: '1',
          contacts: [],
        },
      },
    });
    await rogue.finish();
    // Fleet has handled all the rogue said: the job is untouched.
    const job = await db
      .selectFrom('jobs')
      .select('state')
      .where('job_id', '=', 'job_77')
      .executeTakeFirstOrThrow();
    expect(job.state).toBe('offered');
    // The victim's own report, sent after, goes through, and is the only one: the outbox relays in order.
    victim.send({
      kind: {
        $case: 'inbound',
        value: {
          deviceId: victimDevice,
          deviceMessageKey: 'real-1',
          from: '79160000001',
          text: 'real',
          profileName: '',
          atMs: '2',
          contacts: [],
        },
      },
    });
    await vi.waitFor(() => expect(inbound.map((event) => event.text)).toEqual(['real']), { timeout: 15_000 });
    expect(statuses).toEqual([]);
  } finally {
    for (const agent of agents) agent.close();
    await server.shutdown();
    await fleet.stop();
    await bus.close();
    await database.close();
  }
});
