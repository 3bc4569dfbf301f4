import { billing, dispatch, fleet, templates } from '@wagate/contracts';
import { grpcClient } from '@wagate/rpc';
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

export function connectPeers(addresses: PeerAddresses): Peers {
  return {
    billing: grpcClient(billing.BillingServiceDefinition, addresses.billing),
    templates: grpcClient(templates.TemplatesServiceDefinition, addresses.templates),
    dispatch: grpcClient(dispatch.DispatchServiceDefinition, addresses.dispatch),
    fleet: grpcClient(fleet.FleetServiceDefinition, addresses.fleet),
  };
}
