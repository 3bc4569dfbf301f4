import { openBus } from '@wagate/bus';
import { fleet as contracts } from '@wagate/contracts';
import { type Database, withSchema } from '@wagate/db';
import { databaseAdapters } from '@wagate/db/testing';
import { ClientError, PLAINTEXT_LOOPBACK, Status, closeGrpcChannels, grpcClient } from '@wagate/rpc';
import { type FleetServers, serveFleet } from './support/fleet-servers.js';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { FLEET_SCHEMA, type FleetTables } from '../src/db/tables.js';
import { type FleetService, startFleet } from '../src/index.js';
import { rawAgent, simDevice } from './support/raw-agent.js';

const postgres = databaseAdapters().find((adapter) => adapter.name === 'postgres')!;
const { VmAction } = contracts;
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 10_000, interval: 20 });
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);


/** Two fleet replicas on one database, as in production: commands made on one reach agents on the other. */
describe('VM commands through the agent stream', () => {
  let database: Database;
  let db: Kysely<FleetTables>;
  const replicas: Array<{ fleet: FleetService; server: FleetServers }> = [];
  let api: ReturnType<typeof grpcClient<typeof contracts.FleetServiceDefinition>>;
  const agents: Array<ReturnType<typeof rawAgent>> = [];

  beforeAll(async () => {
    database = await postgres.open();
    db = withSchema<FleetTables>(database, FLEET_SCHEMA);
    for (let i = 0; i < 2; i++) {
      const fleet = await startFleet({ database, bus: await openBus('memory://'), vmCommandPollMs: 50 });
      const server = await serveFleet(fleet);
      replicas.push({ fleet, server });
    }
    await replicas[0]!.fleet.ensureBootstrapToken('acc_a', 'token-a');
    await replicas[0]!.fleet.ensureBootstrapToken('acc_b', 'token-b');
    api = grpcClient(contracts.FleetServiceDefinition, replicas[0]!.server.internalAddress, PLAINTEXT_LOOPBACK);
  });
  afterAll(async () => {
    for (const agent of agents) agent.close();
    for (const { fleet, server } of replicas) {
      await server.shutdown();
      await fleet.stop();
    }
    closeGrpcChannels();
    await database?.close();
  });

  async function connect(replica: number, agentId: string, token: string, deviceKey: string, phone: string) {
    const agent = rawAgent(replicas[replica]!.server.agentAddress, {
      agentId,
      enrolmentToken: token,
      credential: '',
      devices: [simDevice(deviceKey, phone)],
    });
    agents.push(agent);
    const welcome = await agent.welcome();
    return { agent, deviceId: welcome.devices[0]!.deviceId };
  }

  async function nextCommand(agent: ReturnType<typeof rawAgent>): Promise<contracts.VmCommand> {
    for (;;) {
      const message = await agent.next();
      if (message.kind?.$case === 'vmCommand') return message.kind.value;
    }
  }

  const history = (deviceId: string) =>
    db
      .selectFrom('device_history')
      .select(['from_value', 'to_value', 'reason'])
      .where('device_id', '=', deviceId)
      .where('change', '=', 'command')
      .orderBy('id')
      .execute();

  const command = (
    deviceId: string,
    action: contracts.VmAction,
    extra: Partial<contracts.CommandDeviceRequest> = {},
  ) => api.commandDevice({ accountIds: ['acc_a'], deviceId, action, requestedBy: 'acc_a', ...extra });

  test('a restart made on one replica reaches the agent on the other, with an id and a deadline, and its outcome is kept', async () => {
    const { agent, deviceId } = await connect(1, 'agent-a1', 'token-a', 'emulator-5554', '79990000101');
    const asked = await command(deviceId, VmAction.VM_ACTION_RESTART_VM);
    expect(asked.command).toMatchObject({
      deviceId,
      state: 'pending',
      action: VmAction.VM_ACTION_RESTART_VM,
    });
    const received = await nextCommand(agent);
    expect(received).toMatchObject({
      commandId: asked.command!.commandId,
      deviceId,
      action: VmAction.VM_ACTION_RESTART_VM,
    });
    expect(Number(received.deadlineMs)).toBeGreaterThan(Date.now() + 4 * 60_000);

    agent.send({
      kind: {
        $case: 'vmResult',
        value: {
          commandId: received.commandId,
          deviceId,
          ok: true,
          error: '',
          screenshotPng: Buffer.alloc(0),
          finishedAtMs: String(Date.now()),
        },
      },
    });
    await waitFor(async () => {
      const got = await api.getDeviceCommand({
        accountIds: ['acc_a'],
        deviceId,
        commandId: received.commandId,
      });
      expect(got.command?.state).toBe('succeeded');
    });
    expect(await history(deviceId)).toEqual([
      {
        from_value: 'restart_vm',
        to_value: 'requested',
        reason: expect.stringMatching(new RegExp(`^${received.commandId} by acc_a, deadline `)),
      },
      { from_value: 'restart_vm', to_value: 'succeeded', reason: received.commandId },
    ]);
  });

  test('a command unanswered when the agent drops is sent again after it reconnects, and its outcome counts once', async () => {
    const first = await connect(0, 'agent-a2', 'token-a', 'emulator-5556', '79990000102');
    const asked = await command(first.deviceId, VmAction.VM_ACTION_REBOOT_ANDROID);
    const received = await nextCommand(first.agent);
    await first.agent.finish();

    const again = await connect(0, 'agent-a2', 'token-a', 'emulator-5556', '79990000102');
    expect(again.deviceId).toBe(first.deviceId);
    const resent = await nextCommand(again.agent);
    expect(resent.commandId).toBe(received.commandId);
    const result = {
      commandId: resent.commandId,
      deviceId: again.deviceId,
      ok: false,
      error: 'adb: device offline',
      screenshotPng: Buffer.alloc(0),
      finishedAtMs: '1',
    };
    again.agent.send({ kind: { $case: 'vmResult', value: result } });
    again.agent.send({ kind: { $case: 'vmResult', value: { ...result, ok: true, error: '' } } });
    await waitFor(async () =>
      expect((await history(first.deviceId)).map((row) => row.to_value)).toEqual(['requested', 'failed']),
    );
    const got = await api.getDeviceCommand({
      accountIds: ['acc_a'],
      deviceId: first.deviceId,
      commandId: asked.command!.commandId,
    });
    expect(got.command).toMatchObject({ state: 'failed', error: 'adb: device offline' });
  });

  test('a screenshot answered within the wait comes back with the request, as PNG bytes', async () => {
    const { agent, deviceId } = await connect(1, 'agent-a3', 'token-a', 'emulator-5558', '79990000103');
    void nextCommand(agent).then((received) =>
      agent.send({
        kind: {
          $case: 'vmResult',
          value: {
            commandId: received.commandId,
            deviceId,
            ok: true,
            error: '',
            screenshotPng: png,
            finishedAtMs: '1',
          },
        },
      }),
    );
    const answer = await command(deviceId, VmAction.VM_ACTION_SCREENSHOT, { waitMs: '10000' });
    expect(answer.command?.state).toBe('succeeded');
    expect(Buffer.from(answer.screenshotPng)).toEqual(png);
  });

  test("another account's device answers like a missing one, and nothing is asked of its agent", async () => {
    const { deviceId } = await connect(0, 'agent-b1', 'token-b', 'emulator-5554', '79990000201');
    const refused = await command(deviceId, VmAction.VM_ACTION_RESTART_VM).catch((error) => error);
    expect(refused).toBeInstanceOf(ClientError);
    expect(refused).toMatchObject({ code: Status.NOT_FOUND });
    expect(refused.details).not.toContain('acc_b');
    expect(
      await db.selectFrom('vm_commands').select('id').where('device_id', '=', deviceId).execute(),
    ).toEqual([]);
  });

  test("an agent cannot report the outcome of another agent's command", async () => {
    const victim = await connect(0, 'agent-a4', 'token-a', 'emulator-5560', '79990000104');
    const rogue = await connect(0, 'agent-b2', 'token-b', 'emulator-5560', '79990000204');
    const asked = await command(victim.deviceId, VmAction.VM_ACTION_RESTART_VM);
    await nextCommand(victim.agent);
    rogue.agent.send({
      kind: {
        $case: 'vmResult',
        value: {
          commandId: asked.command!.commandId,
          deviceId: victim.deviceId,
          ok: false,
          error: 'forged',
          screenshotPng: Buffer.alloc(0),
          finishedAtMs: '1',
        },
      },
    });
    await rogue.agent.finish();
    const got = await api.getDeviceCommand({
      accountIds: ['acc_a'],
      deviceId: victim.deviceId,
      commandId: asked.command!.commandId,
    });
    expect(got.command?.state).toBe('sent');
  });

  test('a command whose agent never comes is expired at its deadline, in the history', async () => {
    const { agent, deviceId } = await connect(0, 'agent-a5', 'token-a', 'emulator-5562', '79990000105');
    await agent.finish();
    const asked = await command(deviceId, VmAction.VM_ACTION_RESTART_VM, { timeoutMs: '1000' });
    await waitFor(async () => {
      const got = await api.getDeviceCommand({
        accountIds: ['acc_a'],
        deviceId,
        commandId: asked.command!.commandId,
      });
      expect(got.command).toMatchObject({
        state: 'expired',
        error: 'the agent was not connected before the deadline',
      });
    });
    expect((await history(deviceId)).map((row) => row.to_value)).toEqual(['requested', 'expired']);
  });

  test('bad input is refused with a reason: no action, a bad snapshot name, a private APK URL, a bad checksum', async () => {
    const { deviceId } = await connect(0, 'agent-a6', 'token-a', 'emulator-5564', '79990000106');
    const reasonOf = (extra: Partial<contracts.CommandDeviceRequest>, action: contracts.VmAction) =>
      command(deviceId, action, extra).then(
        () => 'accepted',
        (error: ClientError) => `${Status[error.code]}: ${error.details}`,
      );
    expect(await reasonOf({}, VmAction.VM_ACTION_UNSPECIFIED)).toBe('INVALID_ARGUMENT: action is required');
    expect(await reasonOf({ snapshot: '../x' }, VmAction.VM_ACTION_RESTORE_SNAPSHOT)).toMatch(
      /^INVALID_ARGUMENT: snapshot must be/,
    );
    expect(
      await reasonOf(
        { apkUrl: 'http://10.0.0.1/wa.apk', apkSha256: 'a'.repeat(64) },
        VmAction.VM_ACTION_INSTALL_APK,
      ),
    ).toMatch(/^INVALID_ARGUMENT: apkUrl: 10\.0\.0\.1/);
    expect(
      await reasonOf(
        { apkUrl: 'https://example.com/wa.apk', apkSha256: 'nope' },
        VmAction.VM_ACTION_INSTALL_APK,
      ),
    ).toBe('INVALID_ARGUMENT: apkSha256 must be 64 hex digits');
  });

  test('agents are listed with their host report, for their own account only', async () => {
    const { agent } = await connect(0, 'agent-a7', 'token-a', 'emulator-5566', '79990000107');
    agent.send({
      kind: {
        $case: 'host',
        value: {
          provider: 'emulator',
          vmsTotal: 3,
          vmsRunning: 2,
          vmCapacity: 4,
          cpuCores: 16,
          loadAverage1m: 1.5,
          memoryTotalBytes: '68719476736',
          memoryFreeBytes: '17179869184',
          diskTotalBytes: '1000',
          diskFreeBytes: '400',
        },
      },
    });
    await waitFor(async () => {
      const { agents: listed } = await api.listAgents({ accountIds: ['acc_a'] });
      expect(listed.find((a) => a.agentId === 'agent-a7')).toMatchObject({
        accountId: 'acc_a',
        connected: true,
        devices: 1,
        host: { provider: 'emulator', vmsTotal: 3, vmsRunning: 2, vmCapacity: 4, cpuCores: 16 },
      });
    });
    const { agents: forB } = await api.listAgents({ accountIds: ['acc_b'] });
    expect(forB.map((a) => a.agentId).sort()).toEqual(['agent-b1', 'agent-b2']);
  });
});
