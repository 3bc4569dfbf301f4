import { type Database, migrateSchema } from '@wagate/db';
import { apiMigrations } from './db/migrations.js';
import { API_SCHEMA } from './idempotency/tables.js';

/**
 * Brings the api's own schema (idempotency keys, console sessions) up to date; safe to repeat
 * and from several replicas at once. One list, because the migrator refuses a schema whose
 * applied migrations it is not shown.
 */
export function migrateApiSchema(database: Database): Promise<void> {
  return migrateSchema(database, API_SCHEMA, apiMigrations);
}
