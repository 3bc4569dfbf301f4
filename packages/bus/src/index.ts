export { createJetStreamBus, type JetStreamBusOptions } from './jetstream-bus.js';
export { createMemoryBroker, type MemoryBroker, type MemoryBrokerOptions } from './memory-broker.js';
export { createMemoryBus, type MemoryBusOptions } from './memory-bus.js';
export { createKeySerializer, type KeySerializer } from './key-serializer.js';
export { openBus } from './open-bus.js';
export {
  type NatsConnectionConfig,
  type NatsConnectionSettings,
  natsConnectionSettings,
  natsConnectionVariables,
} from './nats-connection.js';
export type * from './port.js';
export { tracedHandler } from './traced-handler.js';
export { deleteJetStreamStream } from './jetstream-admin.js';
export type { StreamSettings } from './jetstream-provisioning.js';
