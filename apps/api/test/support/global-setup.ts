import { migrateEmbeddedSchemas } from '@wagate/gateway';
import { postgresTemplateSetup } from '@wagate/testkit/global-setup/postgres-template';

/**
 * vitest globalSetup: makes sure of PostgreSQL (or stops the run saying what to install), then
 * migrates every service's schema once into the run's template database; each test file's
 * gateway starts on a copy of it.
 */
export default postgresTemplateSetup(migrateEmbeddedSchemas);
