import { runServiceProcess } from '@wagate/runtime';
import { startTemplates } from './templates-service.js';

await runServiceProcess({
  name: 'templates',
  defaultGrpcPort: 50052,
  async start({ database }) {
    const service = await startTemplates({ database });
    return { grpc: [service.grpc], stop: service.stop };
  },
});
