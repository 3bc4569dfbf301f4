import { migrateSchema, withSchema } from '@wagate/db';
import type { databaseAdapters } from '@wagate/testkit';
import type { Kysely } from 'kysely';
import { dispatchMigrations } from '../../src/db/migrations.js';
import { DISPATCH_SCHEMA, type DispatchTables } from '../../src/db/tables.js';

type DatabaseAdapter = ReturnType<typeof databaseAdapters>[number];

/** A fresh database of `adapter` with dispatch's schema, for `run`, closed afterwards. */
export async function withDispatchDb(
  adapter: DatabaseAdapter,
  run: (db: Kysely<DispatchTables>) => Promise<void>,
): Promise<void> {
  const database = await adapter.open();
  try {
    await migrateSchema(database, DISPATCH_SCHEMA, dispatchMigrations);
    await run(withSchema<DispatchTables>(database, DISPATCH_SCHEMA));
  } finally {
    await database.close();
  }
}
