import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationProvider, type MigrationResult, Migrator } from 'kysely/migration';
import type { Database } from './port.js';

export type { Migration } from 'kysely/migration';

/** A migration run that failed; `migrationName` is undefined when it failed before any migration ran. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';

  constructor(
    readonly schema: string,
    readonly migrationName: string | undefined,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      migrationName === undefined
        ? `Migrating schema "${schema}" failed: ${reason}`
        : `Migration "${migrationName}" failed in schema "${schema}": ${reason}`,
      { cause },
    );
  }
}

/**
 * Brings `schema` up to date with `migrations` (applied in name order, so prefix names with a
 * sortable sequence such as `0001_`). The migration bookkeeping tables live in the same schema,
 * so every service migrates independently.
 *
 * Migrations receive a handle scoped with `withSchema(schema)`: query-builder DDL lands in the
 * schema without qualifying names, while raw `sql` must qualify them itself.
 *
 * Safe to run repeatedly and from several processes at once: everything, including
 * CREATE SCHEMA IF NOT EXISTS (which can fail with a unique violation when two sessions race on
 * Postgres), runs under a per-schema session advisory lock held on one connection. On PGlite the
 * lock is a no-op (one session, and advisory locks are re-entrant within a session); there the
 * driver's single-connection mutex is what serialises concurrent calls.
 */
export async function migrateSchema(
  database: Database,
  schema: string,
  migrations: Record<string, Migration>,
): Promise<void> {
  await database.db.connection().execute(async (connection) => {
    const lockKey = sql`hashtext('wagate.migrate.' || ${schema}::text)`;
    await sql`select pg_advisory_lock(${lockKey})`.execute(connection);
    try {
      await migrateLocked(connection, schema, migrations);
    } catch (error) {
      // The migration error matters more than a failed unlock (a dead session drops its locks anyway).
      await sql`select pg_advisory_unlock(${lockKey})`.execute(connection).catch(() => {});
      throw error;
    }
    await sql`select pg_advisory_unlock(${lockKey})`.execute(connection);
  });
}

async function migrateLocked(
  connection: Kysely<any>,
  schema: string,
  migrations: Record<string, Migration>,
): Promise<void> {
  await connection.schema.createSchema(schema).ifNotExists().execute();
  const migrator = new Migrator({
    db: connection.withSchema(schema),
    provider: staticProvider(migrations),
    migrationTableSchema: schema,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) throw new MigrationError(schema, failedMigration(results), error);
}

/** Migrations are bundled with the service code; no directory scanning. */
function staticProvider(migrations: Record<string, Migration>): MigrationProvider {
  return { getMigrations: async () => migrations };
}

function failedMigration(results: readonly MigrationResult[] | undefined): string | undefined {
  return results?.find((result) => result.status === 'Error')?.migrationName;
}

/**
 * The database handle scoped to a service's schema, typed with the service's own table interfaces:
 * `withSchema<OutboxTables>(database, 'outbox')`.
 */
export function withSchema<T>(database: Database, schema: string): Kysely<T> {
  return database.db.withSchema(schema);
}
