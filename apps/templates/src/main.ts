import { runServiceProcess } from '@wagate/runtime';
import { templatesVariables } from './config.js';
import { migrateTemplatesSchema, startTemplates } from './templates-service.js';

await runServiceProcess({
  name: 'templates',
  variables: templatesVariables,
  migrate: migrateTemplatesSchema,
  async start({ database, bus }) {
    const service = await startTemplates({ database, bus });
    return { grpc: [service.grpc], stop: service.stop };
  },
});
