export * from './service-process.js';
export * from './bus-config.js';
