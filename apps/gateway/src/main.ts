import { readConfig } from '@wagate/config';
import { policySettings } from '@wagate/dispatch';
import { onShutdownSignal, startProcessAdminServer } from '@wagate/runtime';
import { createLogger, initTelemetry } from '@wagate/telemetry';
import { gatewayVariables } from './config.js';
import { startEmbeddedGateway } from './embedded-gateway.js';

// Every variable at once: a bad one stops the gateway before anything starts.
const config = readConfig(gatewayVariables);
const telemetry = initTelemetry({ serviceName: 'wagate' });
const log = createLogger('gateway');
// The embedded gateway is one process: one admin server (default port 9464, on HOST) serves the
// metrics of every service in it.
const admin = await startProcessAdminServer(
  { ...config, ADMIN_HOST: config.ADMIN_HOST ?? config.HOST },
  telemetry,
);
const gateway = await startEmbeddedGateway({
  port: config.PORT,
  host: config.HOST,
  dataDir: config.WAGATE_DATA_DIR,
  ...(config.WAGATE_DEV_API_KEY ? { apiKey: config.WAGATE_DEV_API_KEY } : {}),
  ...(config.WAGATE_DEV_ADMIN_KEY ? { adminKey: config.WAGATE_DEV_ADMIN_KEY } : {}),
  simDevices: config.WAGATE_SIM_DEVICES,
  simSeed: config.WAGATE_SIM_SEED,
  policy: policySettings(config),
  ...(config.WAGATE_CONSOLE_DIR ? { consoleDir: config.WAGATE_CONSOLE_DIR } : {}),
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
