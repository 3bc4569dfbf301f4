export { type FleetOptions, type FleetService, migrateFleetSchema, startFleet } from './fleet-service.js';
export { defaultThresholds, type HealthThresholds } from './health/health-rules.js';
export type { RecoveryOptions } from './health/recovery.js';
export { DEFAULT_PACING, type PacingOptions, WARMUP_NEW_CONTACTS_PER_DAY } from './pacing.js';
export type { SchedulerOptions } from './job-scheduler.js';
export { FLEET_SCHEMA, type FleetTables } from './db/tables.js';
export { FLEET_ACCESS } from './grpc/access.js';
export { fleetMigrations } from './db/migrations.js';
