import { env, readConfig } from '@wagate/config';
import { onShutdownSignal } from '@wagate/runtime';
import { createLogger, initTelemetry } from '@wagate/telemetry';
import { z } from 'zod';
import { startEmbeddedGateway } from './embedded-gateway.js';

const config = readConfig({
  PORT: env.port(3000),
  HOST: z.string().default('127.0.0.1'),
  WAGATE_DATA_DIR: z.string().default('./data'),
  WAGATE_DEV_API_KEY: z.string().min(16, 'WAGATE_DEV_API_KEY must be at least 16 characters').optional(),
  WAGATE_SIM_DEVICES: env.int(3),
  WAGATE_SIM_SEED: env.int(1),
});
const telemetry = initTelemetry({ serviceName: 'wagate' });
const log = createLogger('gateway');
const gateway = await startEmbeddedGateway({
  port: config.PORT,
  host: config.HOST,
  dataDir: config.WAGATE_DATA_DIR,
  ...(config.WAGATE_DEV_API_KEY ? { apiKey: config.WAGATE_DEV_API_KEY } : {}),
  simDevices: config.WAGATE_SIM_DEVICES,
  simSeed: config.WAGATE_SIM_SEED,
});
log.info({ url: gateway.url, dataDir: config.WAGATE_DATA_DIR }, 'wagate is running (embedded)');
process.stdout.write(
  [
    '',
    `  wagate is running on ${gateway.url}`,
    `  console: ${gateway.url}/console/ (sign in with the API key below)`,
    `  demo account: ${gateway.accountId}, sender "MyCompany", ${config.WAGATE_SIM_DEVICES} simulated devices`,
    `  API key: ${gateway.apiKey}`,
    `  callback inbox for demos: ${gateway.url}/dev/inbox`,
    '',
    '',
  ].join('\n'),
);
onShutdownSignal(log, async () => {
  await gateway.stop();
  await telemetry.shutdown();
});
