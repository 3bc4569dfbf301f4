import { readConfig } from '@wagate/config';
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
  startProcessAdminServer,
} from '@wagate/runtime';
import { createLogger, initTelemetry } from '@wagate/telemetry';
import { apiVariables } from './config.js';
import { connectPeers } from './peers.js';
import { migrateApiSchema, startApiServer } from './server.js';

// The migration Job (deploy/k8s) sets WAGATE_MIGRATE_ONLY=true: migrate, then exit at once
// (nothing else was opened, so there is nothing to drain or flush).
if (await migrateOnlyIfAsked('api', migrateApiSchema)) process.exit(0);

// Every variable at once: a bad one stops the process before anything opens.
const config = readConfig(apiVariables);
// The api is a client of the internal plane: it presents its own certificate to every peer.
const internalPlane = readInternalPlaneSecurity('api', config);
const telemetry = initTelemetry({ serviceName: 'api' });
const log = createLogger('api');
if (internalPlane.mode === 'insecure-loopback') {
  log.warn(`${INSECURE_SETTING} is set: TLS is OFF and every gRPC peer must be on loopback`);
}
const admin = await startProcessAdminServer(config, telemetry);
const database = await openDatabase(config.DATABASE_URL);
observeDatabasePool(database);
// Billing announces revoked keys and suspended accounts on the bus; every replica drops them at once.
const bus = await openConfiguredBus(config);
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
    callbacks: {
      allowLoopback: config.WAGATE_ALLOW_LOOPBACK_WEBHOOKS,
      allowPrivate: config.WAGATE_ALLOW_PRIVATE_WEBHOOKS,
    },
    media: {
      allowLoopback: config.WAGATE_ALLOW_LOOPBACK_MEDIA,
      allowPrivate: config.WAGATE_ALLOW_PRIVATE_MEDIA,
    },
  },
  ...(config.WAGATE_CONSOLE_DIR ? { consoleDir: config.WAGATE_CONSOLE_DIR } : {}),
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
