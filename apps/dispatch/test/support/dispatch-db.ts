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

/**
 * How many messages each account has in each status with each error code, read once:
 * `count('acc_x', 'FAILED', 2301)`.
 */
export async function messageCounts(
  db: Kysely<DispatchTables>,
): Promise<(account: string, status: string, code: number) => number> {
  const counts = await db
    .selectFrom('messages')
    .select(['account_id', 'status', 'error_code', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy(['account_id', 'status', 'error_code'])
    .execute();
  return (account, status, code) =>
    Number(
      counts.find((c) => c.account_id === account && c.status === status && c.error_code === code)?.n ?? 0,
    );
}
