import { mkdir } from 'node:fs/promises';
import { PGlite, types } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PgliteDialect } from './pglite-dialect.js';
import type { Database } from './port.js';

/**
 * Opens an embedded PGlite database: file-backed under `dataDir` (created if missing), or
 * in-memory when `dataDir` is undefined.
 *
 * PGlite allows ONE process per data directory: it has no cross-process locking, so a second
 * process opening the same directory corrupts it. Replicas must use PostgreSQL.
 */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(dataDir === undefined ? {} : { dataDir }),
    // int8 as string, matching the pg adapter (64-bit ids must not lose precision). PGlite's
    // defaults already give jsonb -> object and timestamptz -> Date like pg does.
    parsers: { [types.INT8]: (value: string) => value },
  });
  const db = new Kysely<any>({ dialect: new PgliteDialect(pglite) });
  return {
    kind: 'pglite',
    db,
    close: async () => {
      // Kysely's destroy reaches PgliteDriver.destroy (which waits for the current connection
      // holder, then closes) only if a query ever ran; the instance exists from the start regardless.
      await db.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}
