import { fleet } from '@wagate/contracts';
import { grpcClient, type InternalPlaneSecurity } from '@wagate/rpc';
import type { ResolveSenders } from '../sender-directory.js';

/** Dispatch's one question to fleet, over gRPC: which senders do these `from` entries name. */
export function fleetSenderResolver(
  fleetAddress: string,
  internalPlane: InternalPlaneSecurity,
): ResolveSenders {
  const client = grpcClient(fleet.FleetServiceDefinition, fleetAddress, internalPlane);
  return async (accountId, names) => {
    const { senders } = await client.resolveSenders({ accountId, senders: names });
    return senders.map(({ name, available, numbers, senderName }) => ({
      name,
      available,
      numbers,
      senderName,
    }));
  };
}
