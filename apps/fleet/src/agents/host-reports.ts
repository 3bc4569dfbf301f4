import type { Kysely } from 'kysely';
import type { FleetTables } from '../db/tables.js';

/**
 * Keeps an agent's last host report (one row per agent, overwritten each heartbeat round). The
 * report is kept as the agent sent it, in its JSON form; fleet reads nothing in it.
 */
export async function recordHostReport(
  db: Kysely<FleetTables>,
  agentId: string,
  report: Record<string, unknown>,
): Promise<void> {
  await db
    .updateTable('agents')
    .set({ host_report: JSON.stringify(report), host_reported_at: new Date() })
    .where('id', '=', agentId)
    .execute();
}
