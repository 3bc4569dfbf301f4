import { type Bus, createJetStreamBus, deleteJetStreamStream } from '@wagate/bus';
import { type common, dispatch, fleet } from '@wagate/contracts';
import { withSchema } from '@wagate/db';
import {
  type AccessTable,
  closeGrpcChannels,
  type GrpcServer,
  grpcClient,
  mount,
  PLAINTEXT_LOOPBACK,
  ServerError,
  Status,
  startLoopbackGrpcServer,
} from '@wagate/rpc';
import { databaseAdapters, isolatedBusNames, natsUrl } from '@wagate/testkit';
import type { Client } from 'nice-grpc';
import { afterAll, expect, test } from 'vitest';
import { DISPATCH_SCHEMA, type DispatchTables } from '../src/db/tables.js';
import { type DispatchService, startDispatch } from '../src/dispatch-service.js';
import type { PolicySettings } from '../src/policy/index.js';
import { embeddedSecretKeys } from '../src/webhooks/secret-keys.js';
import { messageCounts } from './support/dispatch-db.js';
import { outboundMessage } from './support/outbound-messages.js';

afterAll(() => closeGrpcChannels());

const SECONDS = 20;
/** One ring for every replica: they seal and open the same rows. */
const secretKeys = embeddedSecretKeys(undefined);
const settings: PolicySettings = {
  accountRate: { perSecond: 10, burst: 10 },
  recipientRate: { perHour: 7200, burst: 4 },
};
const RECIPIENT = '79035550000';

let texts = 0;
const message = (
  accountId: string,
  acceptedAt: number,
  recipient = `7903${String(texts).padStart(7, '0')}`,
) => outboundMessage({ accountId, acceptedAt, recipient, text: `message ${texts++}` });

/**
 * Two dispatch services — each with its own connection pool and its own JetStream connection,
 * as two processes would have — on one real PostgreSQL and one real NATS, driven at three times
 * the limits at once. What passes is counted in the database: acceptance times are the test's,
 * so the allowance is exact (burst + rate × elapsed) and nothing depends on the machine's speed.
 */
test('two dispatch replicas at 3x the account and the per-recipient limit admit what the limits allow, within 1%', async () => {
  const postgres = databaseAdapters().find((adapter) => adapter.name === 'postgres')!;
  const database = await postgres.openReplicas!(2);
  const names = isolatedBusNames();
  const fleetServer = await startLoopbackGrpcServer('internal', [mount(fleet.FleetServiceDefinition, fleetThatOnlyResolvesSenders(), dispatchMayCallAll)], PLAINTEXT_LOOPBACK);
  const replicas: Array<{
    bus: Bus;
    service: DispatchService;
    server: GrpcServer;
    client: Client<typeof dispatch.DispatchServiceDefinition>;
  }> = [];
  try {
    for (const handle of database.handles) {
      const bus = await createJetStreamBus({ servers: natsUrl(), ...names });
      const service = await startDispatch({
        database: handle,
        bus,
        fleetAddress: fleetServer.address,
        internalPlane: PLAINTEXT_LOOPBACK,
        policy: settings,
        secretKeys,
      });
      const server = await startLoopbackGrpcServer('internal', [service.grpc], PLAINTEXT_LOOPBACK);
      replicas.push({
        bus,
        service,
        server,
        client: grpcClient(dispatch.DispatchServiceDefinition, server.address, PLAINTEXT_LOOPBACK),
      });
    }
    const accept = (replica: number, accountId: string, messages: common.OutboundMessage[]) =>
      replicas[replica % 2]!.client.accept({ accountId, messages, failures: {}, ancestorAccountIds: [] });

    const t0 = Date.now() - SECONDS * 1000;
    for (let second = 0; second < SECONDS; second++) {
      const at = (request: number) => t0 + second * 1000 + request;
      await Promise.all([
        // 30 messages a second to distinct recipients against 10 a second: 6 requests of 5.
        ...Array.from({ length: 6 }, (_, request) =>
          accept(
            request,
            'acc_busy',
            Array.from({ length: 5 }, () => message('acc_busy', at(request))),
          ),
        ),
        // 6 a second to one recipient against 2 a second (7200 an hour): 3 requests of 2.
        ...Array.from({ length: 3 }, (_, request) =>
          accept(
            request,
            'acc_pushy',
            Array.from({ length: 2 }, () => message('acc_pushy', at(request), RECIPIENT)),
          ),
        ),
      ]);
    }

    const db = withSchema<DispatchTables>(database.handles[0]!, DISPATCH_SCHEMA);
    const count = await messageCounts(db);
    const within1Percent = (admitted: number, allowed: number) =>
      expect(Math.abs(admitted - allowed)).toBeLessThanOrEqual(allowed * 0.01);

    const accountAllowed = settings.accountRate!.burst + (SECONDS - 1) * settings.accountRate!.perSecond;
    within1Percent(count('acc_busy', 'ACCEPTED', 0), accountAllowed);
    expect(count('acc_busy', 'FAILED', 2301)).toBe(SECONDS * 30 - count('acc_busy', 'ACCEPTED', 0));

    const recipientAllowed =
      settings.recipientRate!.burst! + ((SECONDS - 1) * settings.recipientRate!.perHour) / 3600;
    within1Percent(count('acc_pushy', 'ACCEPTED', 0), recipientAllowed);
    expect(count('acc_pushy', 'FAILED', 2301)).toBe(SECONDS * 6 - count('acc_pushy', 'ACCEPTED', 0));
    const rules = await db
      .selectFrom('status_history')
      .innerJoin('messages', 'messages.id', 'status_history.message_id')
      .select(['messages.account_id', 'status_history.rule'])
      .where('status_history.error_code', '=', 2301)
      .distinct()
      .execute();
    expect(rules.sort((a, b) => a.account_id.localeCompare(b.account_id))).toEqual([
      { account_id: 'acc_busy', rule: 'account-rate' },
      { account_id: 'acc_pushy', rule: 'recipient-rate' },
    ]);
  } finally {
    for (const replica of replicas) {
      await replica.server.shutdown();
      await replica.service.stop();
      await replica.bus.close();
    }
    await fleetServer.shutdown();
    await deleteJetStreamStream(natsUrl(), names.streamName);
    await database.close();
  }
}, 120_000);

/** Fleet as Accept needs it: every sender is the account's; any other call is unimplemented. */
/** The stand-in fleet's access table (plaintext here, so it is not consulted; mount wants one). */
const dispatchMayCallAll = Object.fromEntries(
  Object.keys(fleet.FleetServiceDefinition.methods).map((name) => [name, ['dispatch']]),
) as unknown as AccessTable<typeof fleet.FleetServiceDefinition>;

function fleetThatOnlyResolvesSenders(): fleet.FleetServiceImplementation {
  const unimplemented = async () => {
    throw new ServerError(Status.UNIMPLEMENTED, 'not in this test');
  };
  const implementation = Object.fromEntries(
    Object.keys(fleet.FleetServiceDefinition.methods).map((name) => [name, unimplemented]),
  ) as unknown as fleet.FleetServiceImplementation;
  implementation.resolveSenders = async ({ senders }) => ({
    senders: senders.map((name) => ({ name, available: true, numbers: [], senderName: name })),
  });
  return implementation;
}
