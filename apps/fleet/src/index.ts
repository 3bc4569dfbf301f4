export { type FleetOptions, type FleetService, startFleet } from './fleet-service.js';
export { defaultThresholds, type HealthThresholds } from './health/health-rules.js';
export { parseRecoveryCommand, type RecoveryOptions } from './health/recovery.js';
