import type { Database } from '@wagate/db';
import { createTemplateDatabase } from '@wagate/db/testing';
import type { TestProject } from 'vitest/node';
import { TEMPLATE_DATABASE_KEY } from '../template-database.js';
import { ensureTestServices, type TestService } from '../test-services.js';

/**
 * A vitest globalSetup that makes sure of `services` (see test-services.ts), then migrates one
 * template database for the whole run with `migrate`; every test database of the run
 * (`freshTestDatabase`, the `database` fixture) is a copy of it, so no test file migrates
 * from scratch. The template is dropped after the run. Used from an app's own setup file:
 * `export default postgresTemplateSetup(migrateAll)`.
 */
export function postgresTemplateSetup(
  migrate: (database: Database) => Promise<void>,
  services: readonly TestService[] = ['postgres'],
) {
  return async (project: TestProject): Promise<() => Promise<void>> => {
    const stopServices = await ensureTestServices(services);
    try {
      const template = await createTemplateDatabase(migrate);
      project.provide(TEMPLATE_DATABASE_KEY, template.name);
      return async () => {
        await template.drop();
        await stopServices();
      };
    } catch (error) {
      await stopServices();
      throw error;
    }
  };
}
