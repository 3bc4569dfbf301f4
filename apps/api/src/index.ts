export { createApiApp } from './app.js';
export { connectPeers, type Peers } from './peers.js';
export { startApiServer } from './server.js';
