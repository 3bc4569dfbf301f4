export * from './message-status.js';
export * from './request-errors.js';
export * from './status-codes.js';
