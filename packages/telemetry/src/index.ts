export * from './grpc.js';
export * from './logger.js';
export * from './tracing.js';
export * from './metrics.js';
export * from './tenant.js';
export * from './telemetry-config.js';
