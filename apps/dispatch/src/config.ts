import { callbackUrlVariables, env } from '@wagate/config';
import { serviceVariables } from '@wagate/runtime';
import { policyVariables } from './policy/policy-config.js';
import { secretKeyVariables } from './webhooks/secret-keys.js';

/** Every variable the dispatch process reads, once at start (docs/configuration.md). */
export const dispatchVariables = {
  ...serviceVariables('dispatch', 50_053),
  FLEET_ADDRESS: env.address({ default: '127.0.0.1:50054', description: "Fleet's internal gRPC address." }),
  ...callbackUrlVariables,
  WAGATE_WEBHOOK_DISABLE_AFTER_MS: env.int({
    default: 3 * 24 * 3_600_000,
    min: 1,
    unit: 'milliseconds',
    description: 'A callback endpoint with no successful delivery for this long, while failing, is disabled.',
  }),
  ...policyVariables,
  ...secretKeyVariables,
};
