export * from './client.js';
export * from './identity.js';
export * from './security.js';
export * from './security-config.js';
export * from './server.js';
export { isPeerUnavailable, peerUnavailableMiddleware } from './peer-unavailable.js';
export { ServerError, ClientError, Status } from 'nice-grpc';
export * from './peer-health.js';
