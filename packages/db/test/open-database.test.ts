import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/index.js';

async function selectOne(database: Database): Promise<unknown> {
  try {
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
    return rows[0]?.one;
  } finally {
    await database.close();
  }
}

describe('openDatabase', () => {
  it('opens in-memory PGlite for pglite://memory', async () => {
    const database = await openDatabase('pglite://memory');
    expect(database.kind).toBe('pglite');
    expect(await selectOne(database)).toBe(1);
  });

  it('opens file-backed PGlite for absolute and ./relative paths', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'wagate-open-'));
    try {
      const absolute = await openDatabase(`pglite://${join(parent, 'abs')}`);
      expect(absolute.kind).toBe('pglite');
      expect(await selectOne(absolute)).toBe(1);

      const relativeUrl = `pglite://./${relative(process.cwd(), join(parent, 'rel'))}`;
      const relativeDb = await openDatabase(relativeUrl);
      expect(await selectOne(relativeDb)).toBe(1);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });

  it('opens PostgreSQL for postgres:// and postgresql:// URLs without connecting eagerly', async () => {
    for (const url of ['postgres://u@127.0.0.1:1/x', 'postgresql://u@127.0.0.1:1/x']) {
      const database = await openDatabase(url);
      expect(database.kind).toBe('postgres');
      await database.close();
    }
  });

  it.each(['mysql://localhost/db', 'pglite://relative/without/dot', 'pglite://', 'memory'])(
    'rejects %s naming the URL and the accepted forms',
    async (url) => {
      await expect(openDatabase(url)).rejects.toThrow(
        new RegExp(`"${url.replaceAll('/', '\\/')}".*postgres://.*pglite://memory.*pglite:///`),
      );
    },
  );
});
