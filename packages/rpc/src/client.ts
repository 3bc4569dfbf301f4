import { grpcClientTracing } from '@wagate/telemetry';
import {
  type Channel,
  type Client,
  type CompatServiceDefinition,
  createChannel,
  createClientFactory,
} from 'nice-grpc';
import { deadlineMiddleware } from './deadline.js';

/** One channel per peer address, shared by every client that talks to it. */
const channels = new Map<string, Channel>();

export function channelTo(address: string): Channel {
  let channel = channels.get(address);
  if (!channel) {
    channel = createChannel(address);
    channels.set(address, channel);
  }
  return channel;
}

/** A traced client with a default deadline for unary calls (streams set none). */
export function grpcClient<D extends CompatServiceDefinition>(
  definition: D,
  address: string,
  defaultDeadlineMs = 10_000,
): Client<D> {
  return createClientFactory()
    .use(grpcClientTracing())
    .use(deadlineMiddleware(defaultDeadlineMs))
    .create(definition, channelTo(address));
}

export function closeGrpcChannels(): void {
  for (const channel of channels.values()) channel.close();
  channels.clear();
}
