import { randomBytes } from 'node:crypto';
import { openPglite } from '../pglite.js';
import type { Database } from '../port.js';
import { openPostgres } from '../postgres.js';
import pg from 'pg';
import { postgresServerUrl } from './postgres-server.js';

// No vitest imports here: benchmarks and other non-test code use these fixtures too.

export interface FreshPostgres {
  /** URL of a new, empty database on the test server. */
  readonly url: string;
  /** Drops the database, terminating any sessions still connected. Idempotent. */
  drop(): Promise<void>;
}

/** Several independent handles (own pools, like replicas) on one fresh database. */
export interface DatabaseReplicas {
  readonly handles: Database[];
  /** Closes every handle, then drops the database. */
  close(): Promise<void>;
}

export interface DatabaseAdapter {
  readonly name: 'pglite' | 'postgres';
  /** A fresh, empty database; closing it discards it. */
  open(): Promise<Database>;
  /**
   * Postgres only: PGlite has one session per data directory and one process per directory, so
   * "replicas" can only ever share a single handle there.
   */
  openReplicas?(count: number): Promise<DatabaseReplicas>;
}

/** The adapters a database-backed suite should run against, both on real engines. */
export function databaseAdapters(): DatabaseAdapter[] {
  return [
    { name: 'pglite', open: () => openPglite(undefined) },
    { name: 'postgres', open: openFreshPostgres, openReplicas: openPostgresReplicas },
  ];
}

/**
 * Creates a uniquely named database (`wagate_t_<random>`) on the test server (see
 * postgres-server.ts for how that server is chosen). For end-to-end tests that hand a URL to
 * another process. With `template`, the new database is a copy of that one (a migrated template,
 * see `createTemplateDatabase`), so it starts with every table instead of migrating from scratch.
 */
export async function freshPostgresUrl(options: { template?: string } = {}): Promise<FreshPostgres> {
  const server = await postgresServerUrl();
  const name = `wagate_t_${randomBytes(6).toString('hex')}`;
  const template = options.template ? ` TEMPLATE ${pg.escapeIdentifier(options.template)}` : '';
  await runAdmin(server, `CREATE DATABASE ${pg.escapeIdentifier(name)}${template}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop: () => {
      // FORCE (PostgreSQL 13+) terminates leftover sessions, e.g. of a process a test killed.
      dropped ??= runAdmin(server, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      return dropped;
    },
  };
}

/** A migrated database that test databases are copied from (`freshPostgresUrl({ template: name })`). */
export interface TemplateDatabase {
  readonly name: string;
  /** Drops the template. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Creates a database, runs `migrate` on it once, and closes every connection to it for good
 * (`ALLOW_CONNECTIONS false`: PostgreSQL copies a database only while nobody is connected to
 * it). A test run migrates once here, then each test file starts from a copy.
 */
export async function createTemplateDatabase(
  migrate: (database: Database) => Promise<void>,
): Promise<TemplateDatabase> {
  const fresh = await freshPostgresUrl();
  try {
    const database = openPostgres(fresh.url);
    try {
      await migrate(database);
    } finally {
      await database.close();
    }
    const name = new URL(fresh.url).pathname.slice(1);
    await runAdmin(
      await postgresServerUrl(),
      `ALTER DATABASE ${pg.escapeIdentifier(name)} WITH ALLOW_CONNECTIONS false`,
    );
    return { name, drop: fresh.drop };
  } catch (error) {
    await fresh.drop();
    throw error;
  }
}

async function openFreshPostgres(): Promise<Database> {
  const fresh = await freshPostgresUrl();
  const database = openPostgres(fresh.url);
  return {
    kind: database.kind,
    db: database.db,
    close: async () => {
      await database.close();
      await fresh.drop();
    },
  };
}

async function openPostgresReplicas(count: number): Promise<DatabaseReplicas> {
  const fresh = await freshPostgresUrl();
  const handles = Array.from({ length: count }, () => openPostgres(fresh.url));
  return {
    handles,
    close: async () => {
      await Promise.all(handles.map((handle) => handle.close()));
      await fresh.drop();
    },
  };
}

/** CREATE/DROP DATABASE cannot run in a transaction or take parameters: one plain client per statement. */
async function runAdmin(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
