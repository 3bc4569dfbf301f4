import { type Bus, openBus } from '@wagate/bus';
import { billing } from '@wagate/contracts';
import { openPostgres } from '@wagate/db';
import { type GrpcServer, grpcClient, PLAINTEXT_LOOPBACK, startLoopbackGrpcServer } from '@wagate/rpc';
import { databaseTest } from '@wagate/testkit/fixtures';
import type { Client } from 'nice-grpc';
import { type BillingService, startBilling } from '../../src/billing-service.js';

/** One billing replica: the service on its own connection pool, served over real gRPC on loopback. */
export interface BillingReplica {
  readonly service: BillingService;
  /** The bus it hears message outcomes on (the in-process bus unless one is given). */
  readonly bus: Bus;
  readonly grpc: GrpcServer;
  /** A client of its gRPC service, as the api calls it. */
  readonly client: Client<typeof billing.BillingServiceDefinition>;
  stop(): Promise<void>;
}

/** Starts billing on `databaseUrl` (which it migrates, as it does in production) behind a gRPC server. */
export async function startBillingReplica(databaseUrl: string, bus?: Bus): Promise<BillingReplica> {
  const database = openPostgres(databaseUrl);
  const ownBus = bus ? undefined : await openBus('memory://');
  const service = await startBilling({ database, bus: bus ?? ownBus! });
  const grpc = await startLoopbackGrpcServer('internal', [service.grpc], PLAINTEXT_LOOPBACK);
  return {
    service,
    bus: bus ?? ownBus!,
    grpc,
    client: grpcClient(billing.BillingServiceDefinition, grpc.address, PLAINTEXT_LOOPBACK),
    async stop() {
      await grpc.shutdown();
      await service.stop();
      await ownBus?.close();
      await database.close();
    },
  };
}

/**
 * vitest's `test` with a `database` fixture (a copy of the run's migrated template, one per test
 * file) and a `billing` fixture: a billing replica on that database, stopped after the file.
 */
export const test = databaseTest.extend('billing', { scope: 'file' }, async ({ database }, { onCleanup }) => {
  const replica = await startBillingReplica(database.url);
  onCleanup(() => replica.stop());
  return replica;
});
