import type { fleet } from '@wagate/contracts';
import { type Kysely, sql } from 'kysely';
import type { FleetTables } from '../db/tables.js';
import type { DeviceSessions } from './device-sessions.js';
import { storedHostReport } from './host-reports.js';

/**
 * The agent hosts of these accounts with their devices and last host report. Connected means
 * one of its devices streams to this fleet process (as for devices and senders).
 */
export async function listAgents(
  db: Kysely<FleetTables>,
  sessions: Pick<DeviceSessions, 'get'>,
  request: fleet.ListAgentsRequest,
): Promise<fleet.ListAgentsResponse> {
  if (request.accountIds.length === 0) return { agents: [] };
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
    .where('agents.account_id', 'in', request.accountIds)
    .orderBy('agents.id')
    .execute();
  return {
    agents: rows.map((row) => {
      const deviceIds = row.device_ids ?? [];
      return {
        agentId: row.id,
        accountId: row.account_id,
        connected: deviceIds.some((id) => sessions.get(id) !== undefined),
        devices: deviceIds.length,
        host: storedHostReport(row.host_report),
        reportedAtMs: row.host_reported_at ? String(row.host_reported_at.getTime()) : '0',
      };
    }),
  };
}
