export * from './config-doc.js';
export * from './read-config.js';
export * from './url-guard.js';
