import { billing, dispatch, fleet, templates } from '@wagate/contracts';
import { grpcClient, type InternalPlaneSecurity } from '@wagate/rpc';
import type { Client } from 'nice-grpc';

/** The services the api talks to, by gRPC. */
export interface Peers {
  billing: Client<typeof billing.BillingServiceDefinition>;
  templates: Client<typeof templates.TemplatesServiceDefinition>;
  dispatch: Client<typeof dispatch.DispatchServiceDefinition>;
  fleet: Client<typeof fleet.FleetServiceDefinition>;
}

export interface PeerAddresses {
  billing: string;
  templates: string;
  dispatch: string;
  fleet: string;
}

/** Clients of every peer, presenting the api's certificate (`security`) on the internal plane. */
export function connectPeers(addresses: PeerAddresses, security: InternalPlaneSecurity): Peers {
  return {
    billing: grpcClient(billing.BillingServiceDefinition, addresses.billing, security),
    templates: grpcClient(templates.TemplatesServiceDefinition, addresses.templates, security),
    dispatch: grpcClient(dispatch.DispatchServiceDefinition, addresses.dispatch, security),
    fleet: grpcClient(fleet.FleetServiceDefinition, addresses.fleet, security),
  };
}
