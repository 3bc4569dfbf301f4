import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './port.js';

/** OID of PostgreSQL's `int8` / `bigint`. */
const INT8_OID = 20;

export interface PostgresOptions {
  /** Pool size; pg's default (10) when unset. */
  readonly maxConnections?: number;
  /**
   * Called when an IDLE pooled connection dies (server restart, `pg_terminate_backend`, dropped database).
   * pg emits these on the pool and an unhandled `error` event would crash the process; the pool has
   * already discarded the client and the next query reconnects, so the default only ignores it.
   */
  readonly onIdleConnectionError?: (error: Error) => void;
}

/**
 * int8 stays a string: message ids are 64-bit and a JS number loses precision above 2^53.
 * Configured per pool rather than via `pg.types.setTypeParser` so no global state is touched.
 * Everything else keeps pg's defaults (jsonb -> object, timestamptz -> Date, numeric -> string).
 */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) =>
    oid === INT8_OID ? (value: string) => value : pg.types.getTypeParser(oid, format),
};

/** Opens a pooled PostgreSQL database at `url` (`postgres://user:pass@host:port/db`). */
export function openPostgres(url: string, options: PostgresOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    types: typeParsers,
    ...(options.maxConnections === undefined ? {} : { max: options.maxConnections }),
  });
  pool.on('error', options.onIdleConnectionError ?? (() => {}));
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    poolUsage: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    // Kysely's destroy ends the pool.
    close: () => db.destroy(),
  };
}
