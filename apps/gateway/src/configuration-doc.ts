import { apiVariables } from '@wagate/api/config';
import { billingVariables } from '@wagate/billing/config';
import { configurationDocument, type ProcessConfiguration } from '@wagate/config';
import { deviceAgentVariables } from '@wagate/device-agent/config';
import { dispatchVariables } from '@wagate/dispatch/config';
import { fleetVariables } from '@wagate/fleet/config';
import { templatesVariables } from '@wagate/templates/config';
import { gatewayVariables } from './config.js';

/** Every process wagate ships, with the schema it reads its environment with. */
export const PROCESSES: readonly ProcessConfiguration[] = [
  {
    name: 'gateway (embedded)',
    summary:
      '`npm start`: every service in one process, with an embedded database, an in-process bus and simulated phones.',
    shape: gatewayVariables,
  },
  {
    name: 'api',
    summary: 'The public HTTP API and the console (`apps/api/dist/main.js`); one or more replicas.',
    shape: apiVariables,
  },
  {
    name: 'billing',
    summary: 'Accounts, keys, prices and the ledger (`apps/billing/dist/main.js`).',
    shape: billingVariables,
  },
  {
    name: 'templates',
    summary: 'Message templates and their review (`apps/templates/dist/main.js`).',
    shape: templatesVariables,
  },
  {
    name: 'dispatch',
    summary: 'Accepts messages, applies the policy and delivers callbacks (`apps/dispatch/dist/main.js`).',
    shape: dispatchVariables,
  },
  {
    name: 'fleet',
    summary: 'Senders, devices, pacing and the agent plane (`apps/fleet/dist/main.js`).',
    shape: fleetVariables,
  },
  {
    name: 'device-agent',
    summary: "Drives one host's phones for fleet (`apps/device-agent/dist/main.js`, one per host).",
    shape: deviceAgentVariables,
  },
];

/** docs/configuration.md as the schemas describe it (`npm run docs:config` writes it). */
export function configurationMarkdown(): string {
  return configurationDocument(PROCESSES);
}
