import type { Kysely } from 'kysely';

/**
 * The database port: one Kysely instance over either PostgreSQL (production) or PGlite
 * (embedded, file-backed). Each service works in its own schema. One contract suite
 * (test/db-contract.ts) runs against both adapters.
 */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /** Untyped root handle; services narrow it with `db.withSchema(schema)` and their own table types. */
  readonly db: Kysely<any>;
  /** Connections of the pool right now (PostgreSQL only; PGlite has a single connection). */
  poolUsage?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}
