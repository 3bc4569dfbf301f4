export * from './client.js';
export * from './identity.js';
export * from './security.js';
export * from './security-config.js';
export * from './server.js';
export { isPeerUnavailable } from './peer-unavailable.js';
export { domainErrorOf, ERROR_KEY_TRAILER, grpcStatusOf } from './domain-errors.js';
export { ServerError, ClientError, Status } from 'nice-grpc';
export * from './peer-health.js';
