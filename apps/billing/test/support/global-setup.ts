import { postgresTemplateSetup } from '@wagate/testkit/global-setup/postgres-template';
import { migrateBillingSchema } from '../../src/billing-service.js';

/**
 * vitest globalSetup: makes sure of PostgreSQL (or stops the run saying what to install), then
 * migrates billing's schema once into the run's template database, which the `database`
 * fixture copies for each test file.
 */
export default postgresTemplateSetup(migrateBillingSchema);
