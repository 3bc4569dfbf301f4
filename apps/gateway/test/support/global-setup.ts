import { postgresTemplateSetup } from '@wagate/testkit/global-setup/postgres-template';
import { migrateEmbeddedSchemas } from '../../src/index.js';

/**
 * vitest globalSetup: makes sure of PostgreSQL and NATS (or stops the run saying what to
 * install), then migrates every service's schema once into the run's template database, which
 * the tests' embedded gateways on PostgreSQL copy (`startGatewayOnPostgres`).
 */
export default postgresTemplateSetup(migrateEmbeddedSchemas, ['postgres', 'nats']);
