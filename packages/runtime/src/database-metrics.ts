import type { Database } from '@wagate/db';
import { observeGauges } from '@wagate/telemetry';

/**
 * `wagate.db.pool.connections` by state (idle, used) and `wagate.db.pool.waiting` (queries
 * waiting for a connection: the pool is too small or the database too slow). Nothing is
 * observed for PGlite, which has no pool. Returns the function that stops observing.
 */
export function observeDatabasePool(database: Database): () => void {
  const usage = database.poolUsage?.bind(database);
  if (!usage) return () => {};
  return observeGauges(
    'db',
    {
      'wagate.db.pool.connections': { description: 'Database pool connections by state (idle or used)' },
      'wagate.db.pool.waiting': { description: 'Queries waiting for a free database connection' },
    },
    async (record) => {
      const { total, idle, waiting } = usage();
      record('wagate.db.pool.connections', idle, { state: 'idle' });
      record('wagate.db.pool.connections', total - idle, { state: 'used' });
      record('wagate.db.pool.waiting', waiting);
    },
    () => {},
  );
}
