import { env, readConfig } from '@wagate/config';
import { onShutdownSignal, startProcessAdminServer } from '@wagate/runtime';
import { policySettingsFromEnv } from '@wagate/dispatch';
import { createLogger, initTelemetry } from '@wagate/telemetry';
import { z } from 'zod';
import { startEmbeddedGateway } from './embedded-gateway.js';

const config = readConfig({
  PORT: env.port(3000),
  HOST: z.string().default('127.0.0.1'),
  WAGATE_DATA_DIR: z.string().default('./data'),
  WAGATE_DEV_API_KEY: z.string().min(16, 'WAGATE_DEV_API_KEY must be at least 16 characters').optional(),
  WAGATE_DEV_ADMIN_KEY: z.string().min(16, 'WAGATE_DEV_ADMIN_KEY must be at least 16 characters').optional(),
  WAGATE_SIM_DEVICES: env.int(3),
  WAGATE_SIM_SEED: env.int(1),
});
const telemetry = initTelemetry({ serviceName: 'wagate' });
const log = createLogger('gateway');
// The embedded gateway is one process: one admin server (default port 9464, on HOST) serves the
// metrics of every service in it.
const admin = await startProcessAdminServer('wagate', telemetry, [], { host: config.HOST });
const gateway = await startEmbeddedGateway({
  port: config.PORT,
  host: config.HOST,
  dataDir: config.WAGATE_DATA_DIR,
  ...(config.WAGATE_DEV_API_KEY ? { apiKey: config.WAGATE_DEV_API_KEY } : {}),
  ...(config.WAGATE_DEV_ADMIN_KEY ? { adminKey: config.WAGATE_DEV_ADMIN_KEY } : {}),
  simDevices: config.WAGATE_SIM_DEVICES,
  simSeed: config.WAGATE_SIM_SEED,
  policy: policySettingsFromEnv(),
});
admin.markReady();
log.info(
  { url: gateway.url, admin: admin.url, dataDir: config.WAGATE_DATA_DIR },
  'wagate is running (embedded)',
);
process.stdout.write(
  [
    '',
    `  wagate is running on ${gateway.url}`,
    `  console: ${gateway.url}/console/ (sign in with the API key below)`,
    `  demo account: ${gateway.accountId}, sender "MyCompany", ${config.WAGATE_SIM_DEVICES} simulated devices`,
    `  API key: ${gateway.apiKey}`,
    `  admin key (the platform, above the demo account: reviews its templates): ${gateway.adminKey}`,
    `  callback inbox for demos: ${gateway.url}/dev/inbox`,
    `  metrics and health: ${admin.url}/metrics, /livez, /readyz`,
    '',
    '',
  ].join('\n'),
);
onShutdownSignal(log, async () => {
  admin.markDraining();
  await gateway.stop();
  await telemetry.shutdown();
  await admin.close();
});
