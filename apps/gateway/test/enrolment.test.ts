import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bus, openBus, type Subscription } from '@wagate/bus';
import { type DeviceStateChangedEvent, Topics } from '@wagate/contracts';
import { type Database, openDatabase } from '@wagate/db';
import { createSimDrivers, fileCredentialStore, startAgent } from '@wagate/device-agent';
import { type FleetService, startFleet } from '@wagate/fleet';
import { closeGrpcChannels, type GrpcServer, PLAINTEXT_LOOPBACK, startLoopbackGrpcServer } from '@wagate/rpc';
import { createLogger } from '@wagate/telemetry';
import { type FreshPostgres, freshPostgresUrl } from '@wagate/testkit';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';

/** A real fleet and real device agents over gRPC: enrolment with a token, then the agent's own credential. */

const SLOW = 120_000;
let postgres: FreshPostgres;
let database: Database;
let bus: Bus;
let fleet: FleetService;
let grpc: GrpcServer;
let dir: string;
let watcher: Subscription;
const announced: DeviceStateChangedEvent[] = [];

beforeAll(async () => {
  postgres = await freshPostgresUrl();
  database = await openDatabase(postgres.url);
  bus = await openBus('memory://');
  watcher = await bus.consume<DeviceStateChangedEvent>({
    topic: Topics.deviceStateChanged,
    group: 'enrolment-test',
    handler: async (delivery) => {
      announced.push(delivery.data);
    },
  });
  fleet = await startFleet({ database, bus });
  grpc = await startLoopbackGrpcServer('agent', [fleet.agentGrpc], PLAINTEXT_LOOPBACK);
  dir = mkdtempSync(join(tmpdir(), 'wagate-agent-'));
}, SLOW);

afterAll(async () => {
  await grpc?.shutdown();
  await fleet?.stop();
  await watcher?.close();
  closeGrpcChannels();
  await bus?.close();
  await database?.close();
  await postgres?.drop();
  rmSync(dir, { recursive: true, force: true });
}, SLOW);

function quietLogger() {
  const logger = createLogger('enrolment-test');
  logger.level = 'silent';
  return logger;
}

function agentWith(enrolmentToken: string, credentialFile: string, agentId = 'agent-enrol-test') {
  const drivers = createSimDrivers(2, { seed: 5 });
  const logger = quietLogger();
  const agent = startAgent({
    fleetAddress: grpc.address,
    fleetSecurity: PLAINTEXT_LOOPBACK,
    agentId,
    enrolmentToken,
    credentials: fileCredentialStore(credentialFile),
    drivers,
    reconnect: { minMs: 20, maxMs: 200 },
    logger,
  });
  return {
    agent,
    logger,
    async stop() {
      await agent.stop();
      await Promise.all(drivers.map((driver) => driver.close()));
    },
  };
}

const devices = () =>
  database.db
    .withSchema('fleet')
    .selectFrom('devices as d')
    .leftJoin('senders as s', 's.id', 'd.sender_id')
    .select(['d.account_id', 's.name as sender', 'd.state'])
    .where('d.agent_id', '=', 'agent-enrol-test')
    .execute();

test(
  'an agent enrols with a one-time token, keeps its credential, and uses (and rotates) it on its next start',
  async () => {
    const { secret } = await fleet.createEnrolmentToken({
      accountId: 'acc_enrol',
      maxUses: 1,
      expiresAtMs: String(Date.now() + 60_000),
      sender: 'Pool',
      createdByAccountId: 'acc_platform',
    });
    const file = join(dir, 'agent', 'credential');
    const first = agentWith(secret, file);
    await vi.waitFor(() => expect(first.agent.connected()).toBe(true), { timeout: 10_000 });
    const credential = readFileSync(file, 'utf8').trim();
    expect(credential).toMatch(/^wac_/);
    await vi.waitFor(async () =>
      expect(await devices()).toEqual([
        { account_id: 'acc_enrol', sender: 'Pool', state: 'online' },
        { account_id: 'acc_enrol', sender: 'Pool', state: 'online' },
      ]),
    );
    // Each device coming online was announced on the bus, for the enrolling account.
    await vi.waitFor(() =>
      expect(announced.filter((event) => event.to === 'online')).toEqual([
        expect.objectContaining({ accountId: 'acc_enrol', change: 'state', from: 'offline' }),
        expect.objectContaining({ accountId: 'acc_enrol', change: 'state', from: 'offline' }),
      ]),
    );
    await first.stop();

    // The token is used up now: the second start gets in with the credential alone.
    const second = agentWith(secret, file);
    try {
      await vi.waitFor(() => expect(second.agent.connected()).toBe(true), { timeout: 10_000 });
      await vi.waitFor(() => expect(readFileSync(file, 'utf8').trim()).not.toBe(credential));
      expect(readFileSync(file, 'utf8').trim()).toMatch(/^wac_/);
    } finally {
      await second.stop();
    }
  },
  SLOW,
);

test(
  'an unknown token is refused: the agent logs why, stays disconnected and keeps trying with backoff',
  async () => {
    const refused = agentWith('wae_made_up', join(dir, 'other', 'credential'), 'agent-refused');
    const errors = vi.spyOn(refused.logger, 'error');
    try {
      await vi.waitFor(
        () =>
          expect(errors).toHaveBeenCalledWith(
            {
              reason: 'unknown enrolment token; create a new one with POST /v1/enrolment-tokens',
              with: 'enrolment token',
              // Which fleet replica refused it (an agent may know several).
              fleetAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
            },
            'the fleet refused this agent',
          ),
        { timeout: 10_000 },
      );
      await vi.waitFor(() => expect(errors.mock.calls.length).toBeGreaterThan(1), { timeout: 10_000 });
      expect(refused.agent.connected()).toBe(false);
    } finally {
      await refused.stop();
    }
  },
  SLOW,
);

test(
  "another account's host with the same device keys gets devices of its own; the first account's stay as they were",
  async () => {
    const { secret } = await fleet.createEnrolmentToken({
      accountId: 'acc_enrol_other',
      maxUses: 1,
      expiresAtMs: String(Date.now() + 60_000),
      sender: '',
      createdByAccountId: 'acc_platform',
    });
    const other = agentWith(secret, join(dir, 'third', 'credential'), 'agent-enrol-other');
    try {
      await vi.waitFor(() => expect(other.agent.connected()).toBe(true), { timeout: 10_000 });
      const rows = await database.db
        .withSchema('fleet')
        .selectFrom('devices')
        .select(['agent_id', 'account_id', 'device_key'])
        .where('agent_id', 'in', ['agent-enrol-test', 'agent-enrol-other'])
        .orderBy('agent_id')
        .orderBy('device_key')
        .execute();
      const keys = rows.filter((row) => row.agent_id === 'agent-enrol-test').map((row) => row.device_key);
      expect(keys).toHaveLength(2);
      expect(rows).toEqual([
        ...keys.map((key) => ({
          agent_id: 'agent-enrol-other',
          account_id: 'acc_enrol_other',
          device_key: key,
        })),
        ...keys.map((key) => ({ agent_id: 'agent-enrol-test', account_id: 'acc_enrol', device_key: key })),
      ]);
    } finally {
      await other.stop();
    }
  },
  SLOW,
);
