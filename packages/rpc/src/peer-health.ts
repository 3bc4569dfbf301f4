import { HealthDefinition } from 'nice-grpc-server-health';
import { grpcClient } from './client.js';
import type { ServiceIdentity } from './identity.js';
import type { InternalPlaneSecurity } from './security.js';

/** grpc.health.v1 ServingStatus values (the package does not export the enum from its entry). */
const SERVING_STATUS: readonly string[] = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const SERVING = 1;

/** How long a peer may take to answer its health check. */
const PEER_CHECK_DEADLINE_MS = 2_000;

/**
 * A readiness check of a gRPC peer this process needs: its grpc.health.v1 `Check` must answer
 * SERVING within two seconds. Uses the shared channel to the peer, so it checks the same
 * connection the real calls take.
 */
export function peerHealthCheck(
  name: ServiceIdentity,
  address: string,
  security: InternalPlaneSecurity,
): { name: string; check(): Promise<void> } {
  // Over the internal plane like every call, with the peer's identity checked.
  const client = grpcClient(HealthDefinition, address, security, PEER_CHECK_DEADLINE_MS, name);
  return {
    name: `peer:${name}`,
    async check() {
      const { status } = await client.check({ service: '' });
      if (status !== SERVING) throw new Error(`${address} answers ${SERVING_STATUS[status] ?? status}`);
    },
  };
}
