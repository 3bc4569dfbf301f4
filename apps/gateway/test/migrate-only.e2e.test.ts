import { openDatabase } from '@wagate/db';
import { type FreshPostgres, freshPostgresUrl, startServiceProcess } from '@wagate/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The Kubernetes migration Job (deploy/k8s/base/migrate-job.yaml) runs each service's own
// process with WAGATE_MIGRATE_ONLY=true before a rollout: it must migrate and exit 0 without
// the bus or a listener.
const SERVICES = ['api', 'billing', 'templates', 'dispatch', 'fleet'] as const;

describe('migrate-only mode (the migration Job)', () => {
  let postgres: FreshPostgres;
  beforeAll(async () => {
    postgres = await freshPostgresUrl();
  });
  afterAll(async () => {
    await postgres?.drop();
  });

  it('every service migrates its schema and exits 0, needing no NATS', { timeout: 180_000 }, async () => {
    // All five at once on one database, as init containers of successive releases may overlap
    // with starting services: the per-schema advisory lock keeps them apart. NATS_URL is empty,
    // which any process that went on to open the bus would refuse.
    const processes = SERVICES.map((service) =>
      startServiceProcess(service, { DATABASE_URL: postgres.url, NATS_URL: '', WAGATE_MIGRATE_ONLY: 'true' }),
    );
    const codes = await Promise.all(processes.map((process) => process.exited));
    expect(
      codes,
      processes.map((process) => `--- ${process.name}\n${process.output.slice(-10).join('\n')}`).join('\n'),
    ).toEqual([0, 0, 0, 0, 0]);
    for (const process of processes) {
      expect(process.output.some((line) => /schema migrated \(WAGATE_MIGRATE_ONLY\)/.test(line))).toBe(true);
      expect(process.output.some((line) => /listening/.test(line))).toBe(false);
    }

    const database = await openDatabase(postgres.url);
    try {
      const { rows } = await sql<{ schema: string; tables: number }>`
        select table_schema as schema, count(*)::int as tables
        from information_schema.tables
        where table_schema in ('api', 'billing', 'templates', 'dispatch', 'fleet')
        group by table_schema order by table_schema`.execute(database.db);
      expect(rows.map((row) => row.schema)).toEqual(['api', 'billing', 'dispatch', 'fleet', 'templates']);
      for (const row of rows) expect(row.tables).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });
});
