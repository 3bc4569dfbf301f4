export * from './outbox.js';
export * from './pump.js';
