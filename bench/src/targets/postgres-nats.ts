/**
 * The same gateway on production infrastructure: a real PostgreSQL (a fresh database, dropped
 * on stop) and NATS JetStream (a stream and subjects no other run uses).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { deleteJetStreamStream } from '@wagate/bus';
import { startEmbeddedGateway } from '@wagate/gateway';
import { freshPostgresUrl, isolatedBusNames, natsUrl } from '@wagate/testkit';
import { serveTarget } from '../target-child.js';
import { simDevices } from './sim-devices.js';

/**
 * The runner SIGKILLs a target 10 s after SIGTERM; the database must be dropped before that,
 * even if the gateway is still busy closing (DROP … WITH (FORCE) ends its sessions anyway).
 */
const GATEWAY_STOP_DEADLINE_MS = 6_000;

await serveTarget(async () => {
  const database = await freshPostgresUrl();
  const busNames = isolatedBusNames();
  try {
    const gateway = await startEmbeddedGateway({
      port: 0,
      simDevices: simDevices(),
      databaseUrl: database.url,
      busUrl: natsUrl(),
      busNames,
    });
    return {
      url: gateway.url,
      apiKey: gateway.apiKey,
      async stop() {
        try {
          await Promise.race([gateway.stop(), sleep(GATEWAY_STOP_DEADLINE_MS, undefined, { ref: false })]);
        } finally {
          await database.drop();
          await deleteJetStreamStream(natsUrl(), busNames.streamName);
        }
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
});
