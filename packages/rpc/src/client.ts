import type { ChannelCredentials } from '@grpc/grpc-js';
import { grpcClientTracing } from '@wagate/telemetry';
import { type Channel, type Client, createChannel, createClientFactory } from 'nice-grpc';
import { MAX_RPC_MESSAGE_BYTES } from './message-size.js';
import { deadlineMiddleware } from './deadline.js';
import { errorKeyClientMiddleware } from './domain-errors.js';
import { type ProtoServiceDefinition, type ServiceIdentity, serverIdentityOf } from './identity.js';
import {
  type AgentPlaneClientSecurity,
  agentClientCredentials,
  assertLoopback,
  type InternalPlaneSecurity,
  internalClientCredentials,
} from './security.js';

/**
 * One channel per peer address and security setting, shared by every client that talks to it.
 * Keyed by the security object too: in the embedded runtime each service calls with its own certificate.
 */
const channels = new Map<string, Map<object, Channel>>();

function channelTo(
  address: string,
  security: InternalPlaneSecurity | AgentPlaneClientSecurity,
  make: () => ChannelCredentials,
  serverName?: string,
): Channel {
  let byAddress = channels.get(address);
  if (!byAddress) {
    byAddress = new Map();
    channels.set(address, byAddress);
  }
  let channel = byAddress.get(security);
  if (!channel) {
    if (security.mode === 'insecure-loopback') assertLoopback(address, 'peer');
    // On the internal plane the TLS server name (SNI) is the service's identity, not the
    // address: the identity is what the client checks, and an IP address is no valid SNI.
    const options = {
      'grpc.max_receive_message_length': MAX_RPC_MESSAGE_BYTES,
      ...(serverName && security.mode !== 'insecure-loopback'
        ? { 'grpc.ssl_target_name_override': serverName }
        : {}),
    };
    channel = createChannel(address, make(), options);
    byAddress.set(security, channel);
  }
  return channel;
}

function tracedClient<D extends ProtoServiceDefinition>(
  definition: D,
  channel: Channel,
  defaultDeadlineMs: number,
): Client<D> {
  return createClientFactory()
    .use(grpcClientTracing())
    .use(errorKeyClientMiddleware())
    .use(deadlineMiddleware(defaultDeadlineMs))
    .create(definition, channel);
}

/**
 * A traced internal-plane client with a default deadline for unary calls (streams set none):
 * it presents this process's service certificate and accepts only the server of `definition`'s service.
 */
export function grpcClient<D extends ProtoServiceDefinition>(
  definition: D,
  address: string,
  security: InternalPlaneSecurity,
  defaultDeadlineMs = 10_000,
  /** The service expected to answer, for definitions that are not a wagate service's (grpc.health.v1). */
  server: ServiceIdentity | undefined = serverIdentityOf(definition),
): Client<D> {
  const expected = server;
  const channel = channelTo(address, security, () => internalClientCredentials(security, expected), expected);
  return tracedClient(definition, channel, defaultDeadlineMs);
}

/** A device agent's client of fleet's agent plane: TLS, the server verified against the agent CA. */
export function agentPlaneClient<D extends ProtoServiceDefinition>(
  definition: D,
  address: string,
  security: AgentPlaneClientSecurity,
  defaultDeadlineMs = 10_000,
): Client<D> {
  const channel = channelTo(address, security, () => agentClientCredentials(security));
  return tracedClient(definition, channel, defaultDeadlineMs);
}

export function closeGrpcChannels(): void {
  for (const byAddress of channels.values()) for (const channel of byAddress.values()) channel.close();
  channels.clear();
}
