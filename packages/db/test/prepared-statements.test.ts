import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/port.js';
import { openPostgres } from '../src/postgres.js';
import { PREPARED_PER_CONNECTION } from '../src/prepared-statements.js';
import { type FreshPostgres, freshPostgresUrl } from '../src/testing/index.js';

/** The statements prepared on the connection a query runs on (one connection: max 1). */
async function preparedTexts(database: Database): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(
    database.db,
  );
  return rows.map((row) => row.statement);
}

describe('prepared statements on postgres', () => {
  let fresh: FreshPostgres;
  let database: Database;

  beforeAll(async () => {
    fresh = await freshPostgresUrl();
    database = openPostgres(fresh.url, { maxConnections: 1 });
    await sql`create table items (id int primary key, name text not null)`.execute(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await fresh?.drop();
  });

  it('parses and plans a parameterised statement once per connection, however often it runs', async () => {
    const db = database.db;
    for (let id = 1; id <= 3; id++)
      await db
        .insertInto('items')
        .values({ id, name: `item ${id}` })
        .execute();
    const byId = (id: number) => db.selectFrom('items').select(['id', 'name']).where('id', '=', id);
    for (let id = 1; id <= 3; id++)
      expect(await byId(id).executeTakeFirst()).toEqual({ id, name: `item ${id}` });

    const prepared = await preparedTexts(database);
    // Each shape once, whatever its parameters; the catalogue read itself has none and is not prepared.
    expect(prepared.filter((text) => text.startsWith('insert into "items"'))).toHaveLength(1);
    expect(prepared.filter((text) => text.startsWith('select "id", "name" from "items"'))).toHaveLength(1);
    expect(prepared.some((text) => text.includes('pg_prepared_statements'))).toBe(false);
  });

  it('plans every run for its own parameters: no generic plan made on statistics that go stale', async () => {
    const { rows } = await sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(database.db);
    expect(rows[0]!.plan_cache_mode).toBe('force_custom_plan');
  });

  it('leaves a statement whose result is `*` unprepared, so a column added meanwhile cannot fail it', async () => {
    const db = database.db;
    const all = () => db.selectFrom('items').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    const named = () => db.selectFrom('items').select('name').where('id', '=', 1).executeTakeFirstOrThrow();
    expect(await all()).toEqual({ id: 1, name: 'item 1' });
    expect(await named()).toEqual({ name: 'item 1' });

    // As a migration of the next version does while this one still runs.
    await sql`alter table items add column note text`.execute(db);
    expect(await all()).toEqual({ id: 1, name: 'item 1', note: null });
    expect(await named()).toEqual({ name: 'item 1' });
    expect((await preparedTexts(database)).some((text) => text.startsWith('select *'))).toBe(false);
  });

  it('stops preparing new texts at the per-connection bound and still runs them', async () => {
    const db = database.db;
    // Each IN list length is a text of its own, as a group's insert is per group size.
    for (let size = 1; size <= PREPARED_PER_CONNECTION + 20; size++) {
      const ids = Array.from({ length: size }, (_, i) => i + 1);
      const rows = await db.selectFrom('items').select('id').where('id', 'in', ids).orderBy('id').execute();
      expect(rows.map((row) => row.id)).toEqual([1, 2, 3].filter((id) => id <= size));
    }
    expect((await preparedTexts(database)).length).toBe(PREPARED_PER_CONNECTION);
  });
});
