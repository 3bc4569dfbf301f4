export { createJetStreamBus, type JetStreamBusOptions } from './jetstream-bus.js';
export { createMemoryBroker, type MemoryBroker, type MemoryBrokerOptions } from './memory-broker.js';
export { createMemoryBus, type MemoryBusOptions } from './memory-bus.js';
export { openBus } from './open-bus.js';
export { type NatsConnectionSettings, natsConnectionFromEnv } from './nats-connection.js';
export type * from './port.js';
export { tracedHandler } from './traced-handler.js';
export { deleteJetStreamStream } from './jetstream-admin.js';
export type { StreamSettings } from './jetstream-provisioning.js';
