import { type FreshPostgres, freshPostgresUrl } from '@wagate/db/testing';
import { test as baseTest, inject } from 'vitest';
import { TEMPLATE_DATABASE_KEY } from './template-database.js';

/**
 * A new database for a test file: a copy of the run's migrated template when the project's
 * globalSetup made one (`global-setup/postgres-template.ts`), otherwise an empty one.
 */
export function freshTestDatabase(): Promise<FreshPostgres> {
  const template = inject(TEMPLATE_DATABASE_KEY);
  return freshPostgresUrl(template ? { template } : {});
}

/**
 * vitest's `test` with a `database` fixture: one fresh database per test file (see
 * freshTestDatabase), made for the first test or `test.beforeAll` that names it and dropped
 * after the file's last test. Apps extend it with fixtures of their own.
 */
// biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern; it has none.
export const databaseTest = baseTest.extend('database', { scope: 'file' }, async ({}, { onCleanup }) => {
  const database = await freshTestDatabase();
  onCleanup(() => database.drop());
  return database;
});
