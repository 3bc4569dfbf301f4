import { isAbsolute, resolve } from 'node:path';
import { openPglite } from './pglite.js';
import type { Database } from './port.js';
import { openPostgres } from './postgres.js';

const ACCEPTED_FORMS =
  'postgres://… or postgresql://… (PostgreSQL), pglite://memory (in-memory PGlite), ' +
  'pglite:///absolute/dir or pglite://./relative/dir (file-backed PGlite)';

/**
 * Opens the database a URL names:
 * - `postgres://user:pass@host:port/db` or `postgresql://…` → PostgreSQL (connection pool);
 * - `pglite://memory` → in-memory PGlite (gone when closed);
 * - `pglite:///abs/dir` → file-backed PGlite in `/abs/dir`;
 * - `pglite://./rel/dir` (or `pglite://../rel/dir`) → file-backed PGlite relative to the working directory.
 * PGlite paths are taken literally (no percent-decoding).
 */
export async function openDatabase(url: string): Promise<Database> {
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  if (url.startsWith('pglite://')) {
    const location = url.slice('pglite://'.length);
    if (location === 'memory') return openPglite(undefined);
    if (isAbsolute(location)) return openPglite(location);
    if (location.startsWith('./') || location.startsWith('../')) return openPglite(resolve(location));
  }
  throw new Error(`Unsupported database URL "${url}"; expected ${ACCEPTED_FORMS}`);
}
