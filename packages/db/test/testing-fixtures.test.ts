import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { databaseAdapters, freshPostgresUrl, postgresServerUrl } from '../src/testing/index.js';

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: await postgresServerUrl() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

function databaseName(url: string): string {
  return new URL(url).pathname.slice(1);
}

describe('freshPostgresUrl', () => {
  it('creates a uniquely named, reachable database and drops it even while a session is open', async () => {
    const [one, two] = await Promise.all([freshPostgresUrl(), freshPostgresUrl()]);
    const lingering = new pg.Client({ connectionString: one.url });
    lingering.on('error', () => {}); // terminated by DROP ... WITH (FORCE)
    try {
      expect(databaseName(one.url)).toMatch(/^wagate_t_[0-9a-f]{12}$/);
      expect(one.url).not.toBe(two.url);
      await lingering.connect();
      const { rows } = await lingering.query<{ db: string }>('select current_database() as db');
      expect(rows[0]?.db).toBe(databaseName(one.url));
    } finally {
      await Promise.all([one.drop(), two.drop()]);
    }
    await one.drop(); // idempotent
    expect(await databaseExists(databaseName(one.url))).toBe(false);
    expect(await databaseExists(databaseName(two.url))).toBe(false);
    await lingering.end().catch(() => {});
  });
});

describe('databaseAdapters', () => {
  it('offers pglite and postgres, each opening a working database', async () => {
    const adapters = databaseAdapters();
    expect(adapters.map((adapter) => adapter.name)).toEqual(['pglite', 'postgres']);
    for (const adapter of adapters) {
      const database = await adapter.open();
      try {
        expect(database.kind).toBe(adapter.name);
        const rows = await database.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
        expect(rows).toEqual([{ one: 1 }]);
      } finally {
        await database.close();
      }
    }
  });

  it('drops the postgres database on close', async () => {
    const postgres = databaseAdapters().find((adapter) => adapter.name === 'postgres')!;
    const database = await postgres.open();
    let name: string;
    try {
      ({ db: name } = await database.db
        .selectNoFrom((eb) => eb.fn<string>('current_database').as('db'))
        .executeTakeFirstOrThrow());
      expect(await databaseExists(name)).toBe(true);
    } finally {
      await database.close();
    }
    expect(await databaseExists(name)).toBe(false);
  });

  it('opens postgres replicas as separate pools on one database', async () => {
    const postgres = databaseAdapters().find((adapter) => adapter.name === 'postgres')!;
    const replicas = await postgres.openReplicas!(2);
    try {
      const [a, b] = replicas.handles;
      await a!.db.schema.createTable('shared').addColumn('id', 'integer').execute();
      await a!.db.insertInto('shared').values({ id: 7 }).execute();
      expect(await b!.db.selectFrom('shared').selectAll().execute()).toEqual([{ id: 7 }]);
    } finally {
      await replicas.close();
    }
  });
});

describe('postgresServerUrl', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('prefers DATABASE_URL', async () => {
    vi.stubEnv('DATABASE_URL', 'postgres://someone@db.example:6543/admin');
    vi.resetModules();
    const fresh = await import('../src/testing/postgres-server.js');
    await expect(fresh.postgresServerUrl()).resolves.toBe('postgres://someone@db.example:6543/admin');
  });
});
