export * from './catalogue.js';
export * from './domain-error.js';
export * from './message-status.js';
export * from './status-codes.js';
