export * from './service-process.js';
export * from './admin-server.js';
export * from './database-metrics.js';
export * from './bus-config.js';
