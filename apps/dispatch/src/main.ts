import { env, readConfig } from '@wagate/config';
import { runServiceProcess } from '@wagate/runtime';
import { startDispatch } from './dispatch-service.js';

await runServiceProcess({
  name: 'dispatch',
  defaultGrpcPort: 50053,
  async start({ database, bus }) {
    const config = readConfig({ FLEET_ADDRESS: env.address('127.0.0.1:50054') });
    const service = await startDispatch({ database, bus, fleetAddress: config.FLEET_ADDRESS });
    return { grpc: [service.grpc], stop: service.stop };
  },
});
