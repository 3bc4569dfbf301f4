import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPglite } from '../src/index.js';

describe('file-backed PGlite', () => {
  let parent: string;

  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'wagate-pglite-'));
  });

  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('creates a missing data directory and keeps data across close and reopen', async () => {
    const dataDir = join(parent, 'nested', 'data');
    const first = await openPglite(dataDir);
    await sql`create table kept (id bigint primary key, note text)`.execute(first.db);
    await first.db.insertInto('kept').values({ id: '9007199254740993', note: 'survives' }).execute();
    await first.close();

    const second = await openPglite(dataDir);
    try {
      expect(await second.db.selectFrom('kept').selectAll().execute()).toEqual([
        { id: '9007199254740993', note: 'survives' },
      ]);
    } finally {
      await second.close();
    }
  });

  it('lets a running transaction finish before close', async () => {
    const database = await openPglite(join(parent, 'data'));
    await sql`create table t (id int)`.execute(database.db);
    let started!: () => void;
    const inTransaction = new Promise<void>((resolve) => {
      started = resolve;
    });
    const writing = database.db.transaction().execute(async (trx) => {
      started();
      await sql`select pg_sleep(0.2)`.execute(trx);
      await trx.insertInto('t').values({ id: 1 }).execute();
    });
    await inTransaction;
    await database.close();
    await writing;

    const reopened = await openPglite(join(parent, 'data'));
    try {
      expect(await reopened.db.selectFrom('t').selectAll().execute()).toEqual([{ id: 1 }]);
    } finally {
      await reopened.close();
    }
  });
});
