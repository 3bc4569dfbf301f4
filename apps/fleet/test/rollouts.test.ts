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
import { waveSizes } from '../src/vm/rollouts.js';
import { jobRow } from './support/job-rows.js';
import { rawAgent } from './support/raw-agent.js';

const postgres = databaseAdapters().find((adapter) => adapter.name === 'postgres')!;
const waitFor = <T>(check: () => T | Promise<T>) => vi.waitFor(check, { timeout: 15_000, interval: 25 });
const sha = 'ab'.repeat(32);

test('waves start small and grow until every device is in one', () => {
  expect(waveSizes(10, 0.1, 2)).toEqual([1, 2, 4, 3]);
  expect(waveSizes(20_000, 0.05, 2)).toEqual([1_000, 2_000, 4_000, 8_000, 5_000]);
  expect(waveSizes(3, 0.05, 1.5)).toEqual([1, 2]);
});

describe('staged APK rollouts', () => {
  let database: Database;
  let db: Kysely<FleetTables>;
  let fleet: FleetService;
  let server: FleetServers;
  let api: ReturnType<typeof grpcClient<typeof contracts.FleetServiceDefinition>>;
  const agents: Array<ReturnType<typeof rawAgent>> = [];

  beforeAll(async () => {
    database = await postgres.open();
    db = withSchema<FleetTables>(database, FLEET_SCHEMA);
    fleet = await startFleet({ database, bus: await openBus('memory://'), vmCommandPollMs: 50 });
    server = await serveFleet(fleet);
    api = grpcClient(contracts.FleetServiceDefinition, server.internalAddress, PLAINTEXT_LOOPBACK);
  });
  afterAll(async () => {
    for (const agent of agents) agent.close();
    await server.shutdown();
    await fleet.stop();
    closeGrpcChannels();
    await database?.close();
  });

  /** An agent host of `count` devices that answers every install: ok unless `fails` says no. */
  async function farm(account: string, count: number, fails: (installIndex: number) => boolean) {
    await fleet.ensureBootstrapToken(account, `token-${account}`);
    const agent = rawAgent(server.agentAddress, {
      agentId: `agent-${account}`,
      enrolmentToken: `token-${account}`,
      credential: '',
      devices: Array.from({ length: count }, (_, i) => ({
        deviceKey: `vm-${i}`,
        phoneNumber: `7999${account.length}${String(i).padStart(6, '0')}`,
        androidVersion: '14',
        whatsappVersion: '2.24',
        driver: 'sim',
      })),
    });
    agents.push(agent);
    const welcome = await agent.welcome();
    const keyOf = new Map(welcome.devices.map((d) => [d.deviceId, d.deviceKey]));
    const installs: string[] = [];
    void (async () => {
      for (;;) {
        const message = await agent.next().catch(() => undefined);
        if (!message) return;
        if (message.kind?.$case !== 'vmCommand') continue;
        const command = message.kind.value;
        const key = keyOf.get(command.deviceId)!;
        installs.push(key);
        const ok = !fails(installs.length - 1);
        agent.send({
          kind: {
            $case: 'vmResult',
            value: {
              commandId: command.commandId,
              deviceId: command.deviceId,
              ok,
              error: ok ? '' : 'INSTALL_FAILED_OLDER_SDK',
              screenshotPng: Buffer.alloc(0),
              finishedAtMs: '1',
            },
          },
        });
      }
    })();
    return {
      installs,
      deviceIdOf: (key: string) => welcome.devices.find((d) => d.deviceKey === key)!.deviceId,
    };
  }

  test('a healthy rollout widens wave by wave until every device has the APK', async () => {
    const { installs } = await farm('acc_roll_ok', 10, () => false);
    const { rollout } = await api.createRollout({
      accountId: 'acc_roll_ok',
      apkUrl: 'https://example.com/wa.apk',
      apkSha256: sha,
      firstWaveShare: 0.1,
      growth: 2,
      maxFailureRate: 0,
      requestedBy: 'acc_roll_ok',
    });
    expect(rollout).toMatchObject({ state: 'running', wave: 1, devicesTotal: 10 });
    await waitFor(async () => {
      const { rollout: now } = await api.getRollout({
        accountIds: ['acc_roll_ok'],
        rolloutId: rollout!.rolloutId,
      });
      expect(now).toMatchObject({
        state: 'completed',
        wave: 4,
        devicesSucceeded: 10,
        devicesFailed: 0,
        devicesInProgress: 0,
      });
    });
    expect(installs).toHaveLength(10);
    expect(new Set(installs).size).toBe(10);
  });

  test('a wave failing above the threshold halts the rollout and no later wave is touched', async () => {
    // The second and third installs are wave 2 of [1, 2, 4, 3] (wave 2 starts after wave 1 ends): 2 of 2 fail.
    const { installs } = await farm('acc_roll_bad', 10, (index) => index === 1 || index === 2);
    const { rollout } = await api.createRollout({
      accountId: 'acc_roll_bad',
      apkUrl: 'https://example.com/wa.apk',
      apkSha256: sha,
      firstWaveShare: 0.1,
      growth: 2,
      maxFailureRate: 0.5,
      requestedBy: 'x',
    });
    await waitFor(async () => {
      const { rollout: now } = await api.getRollout({
        accountIds: ['acc_roll_bad'],
        rolloutId: rollout!.rolloutId,
      });
      expect(now).toMatchObject({
        state: 'halted',
        wave: 2,
        devicesSucceeded: 1,
        devicesFailed: 2,
        reason: 'wave 2: 2 of 2 installs failed (100 % > 50 %)',
      });
    });
    await fleet.tickRollouts();
    expect(installs).toHaveLength(3);
  });

  test('a draining device gets its install only once it is idle', async () => {
    const { installs, deviceIdOf } = await farm('acc_roll_drain', 2, () => false);
    const drainingId = deviceIdOf('vm-0');
    await db.updateTable('devices').set({ admin_state: 'draining' }).where('id', '=', drainingId).execute();
    await db
      .insertInto('jobs')
      .values(
        jobRow(901, '79161230901', {
          account_id: 'acc_roll_drain',
          sender_id: 'snd_x',
          device_id: drainingId,
          state: 'offered',
        }),
      )
      .execute();
    const { rollout } = await api.createRollout({
      accountId: 'acc_roll_drain',
      apkUrl: 'https://example.com/wa.apk',
      apkSha256: sha,
      firstWaveShare: 1,
      growth: 2,
      maxFailureRate: 0.5,
      requestedBy: 'x',
    });
    // One wave of both: the active device at once, the draining one not while it holds a job.
    await waitFor(() => expect(installs).toEqual(['vm-1']));
    await fleet.tickRollouts();
    expect(installs).toEqual(['vm-1']);
    await db.updateTable('jobs').set({ state: 'done' }).where('message_id', '=', '901').execute();
    await waitFor(async () => {
      const { rollout: now } = await api.getRollout({
        accountIds: ['acc_roll_drain'],
        rolloutId: rollout!.rolloutId,
      });
      expect(now?.state).toBe('completed');
    });
    expect(installs.sort()).toEqual(['vm-0', 'vm-1']);
  });

  test("another account's rollout is not found, and bad input is refused with a reason", async () => {
    const { rollout } = await api.createRollout({
      accountId: 'acc_roll_ok',
      apkUrl: 'https://example.com/wa2.apk',
      apkSha256: sha,
      firstWaveShare: 0,
      growth: 0,
      maxFailureRate: 0,
      requestedBy: 'x',
    });
    const other = await api
      .getRollout({ accountIds: ['acc_roll_bad'], rolloutId: rollout!.rolloutId })
      .catch((error) => error);
    expect(other).toBeInstanceOf(ClientError);
    expect(other).toMatchObject({ code: Status.NOT_FOUND });
    const refused = (request: Partial<contracts.CreateRolloutRequest>) =>
      api
        .createRollout({
          accountId: 'acc_roll_ok',
          apkUrl: 'https://example.com/wa.apk',
          apkSha256: sha,
          ...request,
        })
        .then(
          () => 'accepted',
          (error: ClientError) => `${Status[error.code]}: ${error.details}`,
        );
    expect(await refused({ apkUrl: 'file:///etc/passwd' })).toMatch(
      /^INVALID_ARGUMENT: apkUrl: scheme file:/,
    );
    expect(await refused({ apkSha256: 'xyz' })).toBe('INVALID_ARGUMENT: apkSha256 must be 64 hex digits');
    expect(await refused({ maxFailureRate: 1.5 })).toBe(
      'INVALID_ARGUMENT: maxFailureRate must be between 0 and 1',
    );
    expect(await refused({ accountId: 'acc_nobody' })).toBe(
      'FAILED_PRECONDITION: the account has no devices to install on',
    );
  });
});
