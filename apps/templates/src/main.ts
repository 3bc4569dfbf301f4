import { runServiceProcess } from '@wagate/runtime';
import { startTemplates } from './templates-service.js';

await runServiceProcess({
  name: 'templates',
  defaultGrpcPort: 50052,
  async start({ database, bus, env }) {
    const service = await startTemplates({
      database,
      bus,
      ...(env.HOSTNAME ? { instanceId: env.HOSTNAME } : {}),
    });
    return { grpc: [service.grpc], stop: service.stop };
  },
});
