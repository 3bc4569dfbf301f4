import { callbackUrlVariables, env, mediaUrlVariables } from '@wagate/config';
import { MAX_WORKER_ID } from '@wagate/ids';
import { internalPlaneVariables } from '@wagate/rpc';
import { adminVariables, busVariables, migrateOnlyVariables } from '@wagate/runtime';
import { telemetryVariables } from '@wagate/telemetry';

/** Every variable the api process reads, once at start (docs/configuration.md). */
export const apiVariables = {
  ...migrateOnlyVariables,
  PORT: env.port({
    default: 3000,
    description: "The public HTTP API's port (and the console's, under /console/).",
  }),
  BILLING_ADDRESS: env.address({
    default: '127.0.0.1:50051',
    description: "Billing's internal gRPC address.",
  }),
  TEMPLATES_ADDRESS: env.address({
    default: '127.0.0.1:50052',
    description: "Templates' internal gRPC address.",
  }),
  DISPATCH_ADDRESS: env.address({
    default: '127.0.0.1:50053',
    description: "Dispatch's internal gRPC address.",
  }),
  FLEET_ADDRESS: env.address({ default: '127.0.0.1:50054', description: "Fleet's internal gRPC address." }),
  WAGATE_WORKER_ID: env.int({
    default: 0,
    min: 0,
    max: MAX_WORKER_ID,
    description:
      "This replica's part of every message id it hands out: each api replica needs its own, so ids never collide.",
  }),
  WAGATE_CONSOLE_DIR: env.string({
    optional: true,
    minLength: 1,
    accepts: 'a directory',
    description: "Where the console's built files are served from; default apps/console/dist.",
  }),
  ...callbackUrlVariables,
  ...mediaUrlVariables,
  ...adminVariables('api'),
  ...busVariables,
  ...internalPlaneVariables,
  ...telemetryVariables,
};
