import { env, readConfig } from '@wagate/config';
import { openDatabase } from '@wagate/db';
import { createIdGenerator } from '@wagate/ids';
import { closeGrpcChannels, INSECURE_SETTING, readInternalPlaneSecurity } from '@wagate/rpc';
import {
  dependencyChecks,
  migrateOnlyIfAsked,
  observeDatabasePool,
  onShutdownSignal,
  openConfiguredBus,
  peerChecks,
  readBusConfig,
  startProcessAdminServer,
} from '@wagate/runtime';
import { createLogger, initTelemetry } from '@wagate/telemetry';
import { z } from 'zod';
import { connectPeers } from './peers.js';
import { migrateApiSchema, startApiServer } from './server.js';

// The migration Job (deploy/k8s) sets WAGATE_MIGRATE_ONLY=true: migrate, then exit at once
// (nothing else was opened, so there is nothing to drain or flush).
if (await migrateOnlyIfAsked('api', migrateApiSchema)) process.exit(0);

const config = readConfig({
  PORT: env.port(3000),
  // The api's own tables (idempotency keys) live in schema `api` of this database.
  DATABASE_URL: z.string().min(1, 'DATABASE_URL is required (postgres://… or pglite://…)'),
  BILLING_ADDRESS: env.address('127.0.0.1:50051'),
  TEMPLATES_ADDRESS: env.address('127.0.0.1:50052'),
  DISPATCH_ADDRESS: env.address('127.0.0.1:50053'),
  FLEET_ADDRESS: env.address('127.0.0.1:50054'),
  // Each api replica needs its own worker id so message ids never collide across replicas.
  WAGATE_WORKER_ID: env.int(0),
  // contentUrl/callbackUrl on loopback or private networks are refused unless allowed (SSRF guard).
  WAGATE_ALLOW_LOOPBACK_WEBHOOKS: env.bool(false),
  WAGATE_ALLOW_PRIVATE_WEBHOOKS: env.bool(false),
});
// Billing announces revoked keys and suspended accounts on the bus; every replica drops them at once.
const busConfig = readBusConfig();
// The api is a client of the internal plane: it presents its own certificate to every peer.
const internalPlane = readInternalPlaneSecurity('api');
const telemetry = initTelemetry({ serviceName: 'api' });
const log = createLogger('api');
if (internalPlane.mode === 'insecure-loopback') {
  log.warn(`${INSECURE_SETTING} is set: TLS is OFF and every gRPC peer must be on loopback`);
}
const admin = await startProcessAdminServer('api', telemetry);
const database = await openDatabase(config.DATABASE_URL);
observeDatabasePool(database);
const bus = await openConfiguredBus(busConfig);
const peerAddresses = {
  billing: config.BILLING_ADDRESS,
  templates: config.TEMPLATES_ADDRESS,
  dispatch: config.DISPATCH_ADDRESS,
  fleet: config.FLEET_ADDRESS,
};
const server = await startApiServer({
  host: '0.0.0.0',
  port: config.PORT,
  ids: createIdGenerator(config.WAGATE_WORKER_ID),
  database,
  bus,
  outboundUrls: {
    allowLoopback: config.WAGATE_ALLOW_LOOPBACK_WEBHOOKS,
    allowPrivate: config.WAGATE_ALLOW_PRIVATE_WEBHOOKS,
  },
  peers: connectPeers(peerAddresses, internalPlane),
});
admin.addChecks([...dependencyChecks(database, bus), ...peerChecks(peerAddresses, internalPlane)]);
admin.markReady();
log.info({ url: server.url, admin: admin.url }, 'api listening');
onShutdownSignal(log, async () => {
  admin.markDraining();
  await server.close();
  closeGrpcChannels();
  await bus.close();
  await database.close();
  await telemetry.shutdown();
  await admin.close();
});
