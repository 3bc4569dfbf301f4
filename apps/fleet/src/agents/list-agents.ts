import { type Kysely, sql } from 'kysely';
import type { FleetTables } from '../db/tables.js';
import type { DeviceSessions } from './device-sessions.js';

export interface AgentSummary {
  agentId: string;
  accountId: string;
  /** One of its devices streams to this fleet process. */
  connected: boolean;
  devices: number;
  /** Its last host report as it sent it (JSON); null before the first. */
  hostReport: Record<string, unknown> | null;
  reportedAt: Date | null;
}

/**
 * The agent hosts of these accounts with their devices and last host report. Connected means
 * one of its devices streams to this fleet process (as for devices and senders).
 */
export async function listAgents(
  db: Kysely<FleetTables>,
  sessions: Pick<DeviceSessions, 'get'>,
  accountIds: string[],
): Promise<AgentSummary[]> {
  if (accountIds.length === 0) return [];
  const rows = await db
    .selectFrom('agents')
    .select([
      'agents.id',
      'agents.account_id',
      'agents.host_report',
      'agents.host_reported_at',
      (eb) =>
        eb
          .selectFrom('devices')
          .select(sql<string[]>`coalesce(array_agg(devices.id), '{}')`.as('ids'))
          .whereRef('devices.agent_id', '=', 'agents.id')
          .whereRef('devices.account_id', '=', 'agents.account_id')
          .as('device_ids'),
    ])
    .where('agents.account_id', 'in', accountIds)
    .orderBy('agents.id')
    .execute();
  return rows.map((row) => {
    const deviceIds = row.device_ids ?? [];
    return {
      agentId: row.id,
      accountId: row.account_id,
      connected: deviceIds.some((id) => sessions.get(id) !== undefined),
      devices: deviceIds.length,
      hostReport: row.host_report,
      reportedAt: row.host_reported_at,
    };
  });
}
