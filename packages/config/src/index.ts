export * from './read-config.js';
