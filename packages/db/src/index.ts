export {
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
  MAX_PAGE_SIZE,
  pageOf,
  pageSize,
} from './cursor.js';
export { type Migration, MigrationError, migrateSchema, withSchema } from './migrate.js';
export { migrationListProblems } from './migration-list.js';
export { openDatabase } from './open-database.js';
export { openPglite } from './pglite.js';
export type { Database } from './port.js';
export { openPostgres, type PostgresOptions } from './postgres.js';
export { createGroupCommit, type GroupCommit, type GroupCommitOptions } from './group-commit.js';
