export * from './prefixed.js';
export * from './snowflake.js';
