import { PLAINTEXT_LOOPBACK, startLoopbackGrpcServer } from '@wagate/rpc';
import type { FleetService } from '../../src/index.js';

export interface FleetServers {
  /** The internal plane (FleetService), for the test's api-side client. */
  internalAddress: string;
  /** The agent plane (AgentGatewayService), for the test's agents. */
  agentAddress: string;
  shutdown(): Promise<void>;
}

/** Fleet's two planes on loopback, in plaintext: these tests are about fleet, not transport. */
export async function serveFleet(fleet: FleetService): Promise<FleetServers> {
  const internal = await startLoopbackGrpcServer('internal', [fleet.grpc], PLAINTEXT_LOOPBACK);
  const agents = await startLoopbackGrpcServer('agent', [fleet.agentGrpc], PLAINTEXT_LOOPBACK);
  return {
    internalAddress: internal.address,
    agentAddress: agents.address,
    shutdown: async () => {
      await Promise.all([internal.shutdown(), agents.shutdown()]);
    },
  };
}
