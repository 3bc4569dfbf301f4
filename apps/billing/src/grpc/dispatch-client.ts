import { dispatch } from '@wagate/contracts';
import { grpcClient, type InternalPlaneSecurity } from '@wagate/rpc';
import type { FindMessages } from '../reservations/sweep-unaccepted.js';

/** `FindMessages` answered by the dispatch service at `address` over gRPC. */
export function dispatchMessageFinder(address: string, security: InternalPlaneSecurity): FindMessages {
  const client = grpcClient(dispatch.DispatchServiceDefinition, address, security);
  return async (messageIds) => new Set((await client.findMessages({ messageIds })).foundMessageIds);
}
