export * from './client.js';
export * from './server.js';
export { isPeerUnavailable, peerUnavailableMiddleware } from './peer-unavailable.js';
export { ServerError, ClientError, Status } from 'nice-grpc';
