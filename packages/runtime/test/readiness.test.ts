import { type Bus, openBus } from '@wagate/bus';
import { type Database, openDatabase } from '@wagate/db';
import { PLAINTEXT_LOOPBACK, startLoopbackGrpcServer, type GrpcServer } from '@wagate/rpc';
import { type FreshPostgres, freshPostgresUrl, isolatedBusNames, natsUrl } from '@wagate/testkit';
import { initTelemetry, type Telemetry } from '@wagate/telemetry';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AdminServer, dependencyChecks, peerChecks, startAdminServer } from '../src/admin-server.js';

let postgres: FreshPostgres;
let database: Database;
let bus: Bus;
let peer: GrpcServer;
let telemetry: Telemetry;
let admin: AdminServer;

beforeAll(async () => {
  postgres = await freshPostgresUrl();
  database = await openDatabase(postgres.url);
  bus = await openBus(natsUrl(), isolatedBusNames());
  telemetry = initTelemetry({ serviceName: 'readiness-test' });
  // A peer is any gRPC server of ours: each serves grpc.health.v1 beside its own services.
  peer = await startLoopbackGrpcServer('internal', [], PLAINTEXT_LOOPBACK);
  admin = await startAdminServer({
    host: '127.0.0.1',
    port: 0,
    metrics: telemetry.metricsHandler,
    checks: [...dependencyChecks(database, bus), ...peerChecks({ fleet: peer.address }, PLAINTEXT_LOOPBACK)],
  });
  admin.markReady();
});

afterAll(async () => {
  await admin?.close();
  await peer?.shutdown();
  await telemetry?.shutdown();
  await database?.close();
  await postgres?.drop();
});

const readyz = async () => {
  const response = await fetch(`${admin.url}/readyz`);
  return {
    status: response.status,
    body: (await response.json()) as { status: string; checks: Record<string, string> },
  };
};

describe('readiness against real PostgreSQL, NATS and a gRPC peer', () => {
  test('ready while the database, the bus and the peer answer; each dependency is named when it does not', async () => {
    expect(await readyz()).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'ok', bus: 'ok', 'peer:fleet': 'ok' } },
    });

    // The peer stops: its health service says NOT_SERVING, then it is gone.
    await peer.shutdown();
    const peerDown = await readyz();
    expect(peerDown.status).toBe(503);
    expect(peerDown.body.checks['peer:fleet']).toMatch(/^failed: /);
    expect(peerDown.body.checks.database).toBe('ok');

    await bus.close();
    const busDown = await readyz();
    expect(busDown.status).toBe(503);
    expect(busDown.body.checks.bus).toMatch(/^failed: .*closed/);

    await database.close();
    const databaseDown = await readyz();
    expect(databaseDown.body.checks.database).toMatch(/^failed: /);
  });
});
