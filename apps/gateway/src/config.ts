import { env } from '@wagate/config';
import { policyVariables } from '@wagate/dispatch';
import { adminVariables } from '@wagate/runtime';
import { telemetryVariables } from '@wagate/telemetry';

/** Every variable the embedded gateway (`npm start`) reads, once at start (docs/configuration.md). */
export const gatewayVariables = {
  PORT: env.port({ default: 3000, description: 'The HTTP port of the API, the console and the demo inbox.' }),
  HOST: env.string({
    default: '127.0.0.1',
    description:
      'The address the gateway listens on (and its admin server, unless ADMIN_HOST says otherwise).',
  }),
  WAGATE_DATA_DIR: env.string({
    default: './data',
    accepts: 'a directory',
    description:
      'Where the embedded database, the demo keys and the secret-sealing key are kept across restarts.',
  }),
  WAGATE_DEV_API_KEY: env.string({
    optional: true,
    minLength: 16,
    description: "The demo account's API key; default one made on first start and kept in WAGATE_DATA_DIR.",
  }),
  WAGATE_DEV_ADMIN_KEY: env.string({
    optional: true,
    minLength: 16,
    description:
      "The platform admin key (reviews the demo account's templates); default one made on first start.",
  }),
  WAGATE_SIM_DEVICES: env.int({
    default: 3,
    min: 1,
    max: 1_000,
    unit: 'phones',
    description: 'How many simulated phones serve the demo sender.',
  }),
  WAGATE_SIM_SEED: env.int({
    default: 1,
    description: "The simulated phones' random seed: the same seed, the same run.",
  }),
  WAGATE_CONSOLE_DIR: env.string({
    optional: true,
    minLength: 1,
    accepts: 'a directory',
    description: "Where the console's built files are served from; default apps/console/dist.",
  }),
  ...policyVariables,
  ...adminVariables('wagate'),
  ADMIN_HOST: env.string({
    optional: true,
    description: 'The address the admin server (/metrics, /livez, /readyz) listens on; default HOST.',
  }),
  ...telemetryVariables,
};
