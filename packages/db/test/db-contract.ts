import { type ColumnType, type Generated, type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, type Migration, MigrationError, migrateSchema, withSchema } from '../src/index.js';

/** Several handles on one database, as separate replicas would hold (Postgres only). */
export interface Replicas {
  readonly handles: Database[];
  close(): Promise<void>;
}

interface ContractTables {
  message: {
    id: string;
    // Written as JSON text: pg would serialise a top-level JS array as a Postgres array, not JSON.
    payload: ColumnType<unknown, string, string>;
    created_at: Generated<Date>;
    body: Generated<string>;
    tag: Generated<string>;
  };
  job: { id: number; status: string };
}

/** A value above 2^53: survives only if int8 comes back as a string. */
const BIG_ID = '9007199254740993';

const tableMigrations: Record<string, Migration> = {
  '0001_message': {
    up: (db) =>
      db.schema
        .createTable('message')
        .addColumn('id', 'bigint', (col) => col.primaryKey())
        .addColumn('payload', 'jsonb', (col) => col.notNull())
        .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .addColumn('body', 'text', (col) => col.notNull().defaultTo(''))
        .addColumn('tag', 'text', (col) => col.notNull().defaultTo(''))
        .execute(),
  },
  '0002_job': {
    up: (db) =>
      db.schema
        .createTable('job')
        .addColumn('id', 'integer', (col) => col.primaryKey())
        .addColumn('status', 'text', (col) => col.notNull())
        .execute(),
  },
};

/** Migrations that record how often each one ran, and take long enough for concurrent runs to overlap. */
function countingMigrations(): { migrations: Record<string, Migration>; runs: Map<string, number> } {
  const runs = new Map<string, number>();
  const migrations: Record<string, Migration> = {};
  for (const [name, migration] of Object.entries(tableMigrations)) {
    migrations[name] = {
      up: async (db) => {
        runs.set(name, (runs.get(name) ?? 0) + 1);
        await sql`select pg_sleep(0.2)`.execute(db);
        await migration.up(db);
      },
    };
  }
  return { migrations, runs };
}

async function appliedMigrations(database: Database, schema: string): Promise<string[]> {
  const rows = await database.db
    .withSchema(schema)
    .selectFrom('kysely_migration')
    .select('name')
    .orderBy('name')
    .execute();
  return rows.map((row) => row.name);
}

async function countByTag(db: Kysely<ContractTables>, tag: string): Promise<number> {
  const { count } = await db
    .selectFrom('message')
    .where('tag', '=', tag)
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}

/**
 * The behaviour every Database adapter must share. `open` yields a fresh, empty database per
 * test; `openReplicas` (when the engine supports several sessions) yields independent handles on
 * one database, otherwise "concurrent" means concurrent calls on a single handle.
 */
export function runDatabaseContract(
  name: string,
  open: () => Promise<Database>,
  openReplicas?: (count: number) => Promise<Replicas>,
): void {
  describe(`Database contract: ${name}`, () => {
    let database: Database;
    let db: Kysely<ContractTables>;

    beforeEach(async () => {
      database = await open();
      await migrateSchema(database, 'contract', tableMigrations);
      db = withSchema<ContractTables>(database, 'contract');
    });

    afterEach(async () => {
      await database.close();
    });

    it('round-trips int8 as string, jsonb, timestamptz and text', async () => {
      const createdAt = new Date('2024-05-06T07:08:09.123Z');
      const payload = { to: '+491701234567', parts: [1, 2], nested: { ok: true } };
      const inserted = await db
        .insertInto('message')
        .values({ id: BIG_ID, payload: JSON.stringify(payload), created_at: createdAt, body: 'héllo ✓' })
        .executeTakeFirstOrThrow();
      expect(inserted.numInsertedOrUpdatedRows).toBe(1n);

      const row = await db
        .selectFrom('message')
        .selectAll()
        .where('id', '=', BIG_ID)
        .executeTakeFirstOrThrow();
      expect(row.id).toBe(BIG_ID);
      expect(row.payload).toEqual(payload);
      expect(row.created_at).toBeInstanceOf(Date);
      expect(row.created_at.getTime()).toBe(createdAt.getTime());
      expect(row.body).toBe('héllo ✓');

      // Aggregates over int8 come back as strings too.
      const { count } = await db
        .selectFrom('message')
        .select((eb) => eb.fn.countAll().as('count'))
        .executeTakeFirstOrThrow();
      expect(count).toBe('1');
    });

    it('reports affected row counts for UPDATE and DELETE', async () => {
      await db
        .insertInto('job')
        .values([1, 2, 3].map((id) => ({ id, status: 'pending' })))
        .execute();
      const updated = await db
        .updateTable('job')
        .set({ status: 'done' })
        .where('id', '<=', 2)
        .executeTakeFirstOrThrow();
      expect(updated.numUpdatedRows).toBe(2n);
      const deleted = await db.deleteFrom('job').executeTakeFirstOrThrow();
      expect(deleted.numDeletedRows).toBe(3n);
    });

    it('rolls back a transaction that throws and commits one that returns', async () => {
      await expect(
        db.transaction().execute(async (trx) => {
          await trx.insertInto('job').values({ id: 1, status: 'doomed' }).execute();
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await db.selectFrom('job').selectAll().execute()).toEqual([]);

      const result = await db.transaction().execute(async (trx) => {
        await trx.insertInto('job').values({ id: 2, status: 'kept' }).execute();
        return 'committed';
      });
      expect(result).toBe('committed');
      expect(await db.selectFrom('job').selectAll().execute()).toEqual([{ id: 2, status: 'kept' }]);
    });

    it('rolls back to a savepoint inside a controlled transaction', async () => {
      const trx = await db.startTransaction().execute();
      await trx.insertInto('job').values({ id: 1, status: 'before' }).execute();
      const afterFirst = await trx.savepoint('after_first').execute();
      await afterFirst.insertInto('job').values({ id: 2, status: 'after' }).execute();
      await afterFirst.rollbackToSavepoint('after_first').execute();
      await trx.commit().execute();
      expect(await db.selectFrom('job').selectAll().execute()).toEqual([{ id: 1, status: 'before' }]);
    });

    it('runs concurrent transactions on one handle without interleaving', async () => {
      const rowsPerTransaction = 50;
      const insertAll = (tag: string, offset: number, failAt?: number) =>
        db.transaction().execute(async (trx) => {
          for (let i = 0; i < rowsPerTransaction; i++) {
            if (i === failAt) throw new Error(`abort ${tag}`);
            await trx
              .insertInto('message')
              .values({ id: String(offset + i), payload: '{}', tag })
              .execute();
            // Own rows are visible one by one; another transaction's rows only all at once
            // (after its commit) or never (if it rolls back).
            expect(await countByTag(trx, tag)).toBe(i + 1);
            for (const other of ['a', 'b'].filter((t) => t !== tag)) {
              expect([0, rowsPerTransaction]).toContain(await countByTag(trx, other));
            }
            expect(await countByTag(trx, tag === 'c' ? 'none' : 'c')).toBe(0);
          }
        });

      const [a, b, c] = await Promise.allSettled([
        insertAll('a', 1_000),
        insertAll('b', 2_000),
        insertAll('c', 3_000, 10),
      ]);
      expect(a.status).toBe('fulfilled');
      expect(b.status).toBe('fulfilled');
      expect(c).toMatchObject({ status: 'rejected', reason: { message: 'abort c' } });
      expect(await countByTag(db, 'a')).toBe(rowsPerTransaction);
      expect(await countByTag(db, 'b')).toBe(rowsPerTransaction);
      expect(await countByTag(db, 'c')).toBe(0);
    });

    it('isolates same-named tables in different schemas', async () => {
      await migrateSchema(database, 'alpha', tableMigrations);
      await migrateSchema(database, 'beta', tableMigrations);
      const alpha = withSchema<ContractTables>(database, 'alpha');
      const beta = withSchema<ContractTables>(database, 'beta');
      await alpha.insertInto('job').values({ id: 1, status: 'alpha' }).execute();
      await beta
        .insertInto('job')
        .values([
          { id: 1, status: 'beta' },
          { id: 2, status: 'beta' },
        ])
        .execute();

      expect(await alpha.selectFrom('job').selectAll().execute()).toEqual([{ id: 1, status: 'alpha' }]);
      expect(await beta.selectFrom('job').select('status').distinct().execute()).toEqual([
        { status: 'beta' },
      ]);
      expect(await beta.selectFrom('job').selectAll().execute()).toHaveLength(2);
      expect(await db.selectFrom('job').selectAll().execute()).toEqual([]);
    });

    it('applies each migration once when migrateSchema runs twice', async () => {
      const { migrations, runs } = countingMigrations();
      await migrateSchema(database, 'twice', migrations);
      await migrateSchema(database, 'twice', migrations);
      expect(Object.fromEntries(runs)).toEqual({ '0001_message': 1, '0002_job': 1 });
      expect(await appliedMigrations(database, 'twice')).toEqual(['0001_message', '0002_job']);
    });

    it('applies each migration exactly once when migrateSchema runs concurrently', async () => {
      const { migrations, runs } = countingMigrations();
      // Several racers make an unserialised CREATE SCHEMA / migration race near-certain to show.
      const racers = 4;
      const replicas = openReplicas
        ? await openReplicas(racers)
        : { handles: Array.from({ length: racers }, () => database), close: async () => {} };
      try {
        // Connect every pool first so the racers start together instead of staggered by connection setup.
        await Promise.all(replicas.handles.map((handle) => sql`select 1`.execute(handle.db)));
        // A fresh schema, so CREATE SCHEMA itself races too.
        await Promise.all(replicas.handles.map((handle) => migrateSchema(handle, 'racing', migrations)));
        expect(Object.fromEntries(runs)).toEqual({ '0001_message': 1, '0002_job': 1 });
        for (const handle of replicas.handles) {
          expect(await appliedMigrations(handle, 'racing')).toEqual(['0001_message', '0002_job']);
        }
      } finally {
        await replicas.close();
      }
    });

    it('names the schema and the failing migration, and applies none of that run', async () => {
      const broken: Record<string, Migration> = {
        ...tableMigrations,
        '0003_broken': { up: (db) => sql`select * from no_such_table`.execute(db).then(() => {}) },
      };
      const failure = migrateSchema(database, 'fragile', broken);
      await expect(failure).rejects.toBeInstanceOf(MigrationError);
      await expect(failure).rejects.toMatchObject({ schema: 'fragile', migrationName: '0003_broken' });
      await expect(failure).rejects.toThrow(
        /Migration "0003_broken" failed in schema "fragile".*no_such_table/,
      );

      // Pending migrations of one call run in one transaction: the good ones rolled back too.
      expect(await appliedMigrations(database, 'fragile')).toEqual([]);
      await migrateSchema(database, 'fragile', tableMigrations);
      expect(await appliedMigrations(database, 'fragile')).toEqual(['0001_message', '0002_job']);
    });

    it('supports SELECT ... FOR UPDATE SKIP LOCKED', async () => {
      await db
        .insertInto('job')
        .values([1, 2, 3, 4, 5, 6].map((id) => ({ id, status: 'pending' })))
        .execute();
      const claim = async (trx: Kysely<ContractTables>) => {
        const rows = await trx
          .selectFrom('job')
          .select('id')
          .where('status', '=', 'pending')
          .orderBy('id')
          .limit(2)
          .forUpdate()
          .skipLocked()
          .execute();
        const ids = rows.map((row) => row.id);
        await trx.updateTable('job').set({ status: 'claimed' }).where('id', 'in', ids).execute();
        return ids;
      };

      if (database.kind === 'postgres') {
        // A real second session: while the first claim's row locks are held, a concurrent claim
        // skips those rows instead of blocking on them.
        const [first, second] = await db.transaction().execute(async (trx) => {
          const mine = await claim(trx);
          const theirs = await db.transaction().execute(claim);
          return [mine, theirs];
        });
        expect(first).toEqual([1, 2]);
        expect(second).toEqual([3, 4]);
      } else {
        // PGlite is one session (a second transaction would wait for the first): the clause
        // must parse and the claim pattern must hand out disjoint rows.
        expect(await db.transaction().execute(claim)).toEqual([1, 2]);
        expect(await db.transaction().execute(claim)).toEqual([3, 4]);
      }
      expect(await countByTag(db, 'none')).toBe(0);
    });
  });
}
