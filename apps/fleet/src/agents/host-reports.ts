import { fleet } from '@wagate/contracts';
import type { Kysely } from 'kysely';
import type { FleetTables } from '../db/tables.js';

/** Keeps an agent's last host report (one row per agent, overwritten each heartbeat round). */
export async function recordHostReport(
  db: Kysely<FleetTables>,
  agentId: string,
  report: fleet.HostReport,
): Promise<void> {
  await db
    .updateTable('agents')
    .set({ host_report: JSON.stringify(fleet.HostReport.toJSON(report)), host_reported_at: new Date() })
    .where('id', '=', agentId)
    .execute();
}

/** The stored report back as the message (absent before the agent's first report). */
export function storedHostReport(json: Record<string, unknown> | null): fleet.HostReport | undefined {
  return json ? fleet.HostReport.fromJSON(json) : undefined;
}
