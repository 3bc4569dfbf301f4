import { runServiceProcess } from '@wagate/runtime';
import { migrateTemplatesSchema, startTemplates } from './templates-service.js';

await runServiceProcess({
  name: 'templates',
  defaultGrpcPort: 50052,
  migrate: migrateTemplatesSchema,
  async start({ database, bus }) {
    const service = await startTemplates({ database, bus });
    return { grpc: [service.grpc], stop: service.stop };
  },
});
