export { type ApiApp, type ApiDeps, createApiApp } from './app.js';
export { openApiConfig } from './openapi/config.js';
export { createOfflineApiApp, openApiDocument } from './openapi/document.js';
export { connectPeers, type PeerAddresses, type Peers } from './peers.js';
export { type ApiServer, migrateApiSchema, startApiServer } from './server.js';
export { billingKeyCache, invalidateOnAccessChanges } from './http/key-cache.js';
export { apiMigrations } from './db/migrations.js';
