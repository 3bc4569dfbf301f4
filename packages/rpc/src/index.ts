export * from './client.js';
export * from './server.js';
export { ServerError, ClientError, Status } from 'nice-grpc';
export * from './peer-health.js';
