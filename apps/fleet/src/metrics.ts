import { adminStates, deviceStates } from '@wagate/contracts';
import { type Kysely, sql } from 'kysely';
import { createLogger, defineInstruments, observeGauges, secondsSince } from '@wagate/telemetry';
import type { FleetTables } from './db/tables.js';

/**
 * Fleet's instruments (docs/operations.md lists them). Labels stay low-cardinality: device
 * states, admin states and contact kinds are fixed lists; a sender pool is a fleet-sized set.
 */
export const fleetMetrics = defineInstruments('fleet', (meter) => ({
  agentStreams: meter.createUpDownCounter('wagate.fleet.agent_streams', {
    description: 'Device agent streams connected to this fleet process',
  }),
  pacingWaits: meter.createCounter('wagate.fleet.pacing_waits', {
    description: "Offers held back until the device's pace allows them, by contact kind (new or known)",
  }),
}));

const log = createLogger('fleet:metrics');

/**
 * The fleet gauges, read from the database at scrape time with a few grouped counts: devices
 * by state and admin state, the oldest heartbeat of a device counted online, jobs in flight,
 * and per sender pool the queue depth and the age of its oldest queued job.
 */
export function observeFleet(db: Kysely<FleetTables>): () => void {
  return observeGauges(
    'fleet',
    {
      'wagate.fleet.devices': { description: 'Devices by health state and admin state' },
      'wagate.fleet.heartbeat_age_max_seconds': {
        description: 'Longest time since the last heartbeat of a device counted online',
        unit: 's',
      },
      'wagate.fleet.jobs_in_flight': { description: 'Jobs offered to a device and not finished' },
      'wagate.fleet.queue_depth': { description: 'Jobs queued for a device, per sender pool' },
      'wagate.fleet.oldest_queued_age_seconds': {
        description: 'Age of the oldest queued job, per sender pool',
        unit: 's',
      },
    },
    async (record) => {
      const now = Date.now();
      const devices = await db
        .selectFrom('devices')
        .select(['state', 'admin_state', (eb) => eb.fn.countAll<string>().as('count')])
        .groupBy(['state', 'admin_state'])
        .execute();
      // Every combination, zeros included: the SDK keeps a series it saw once, so a state no
      // device is in any more must be reported as 0, not left out.
      for (const state of deviceStates) {
        for (const adminState of adminStates) {
          const row = devices.find((entry) => entry.state === state && entry.admin_state === adminState);
          record('wagate.fleet.devices', Number(row?.count ?? 0), { state, admin_state: adminState });
        }
      }
      const heartbeat = await db
        .selectFrom('devices')
        .select((eb) => eb.fn.min('last_heartbeat_at').as('oldest'))
        .where('state', '=', 'online')
        .executeTakeFirst();
      record('wagate.fleet.heartbeat_age_max_seconds', secondsSince(heartbeat?.oldest as Date | null, now));
      // Every sender pool, so a drained queue reads 0 rather than vanishing.
      const jobs = await db
        .selectFrom('senders')
        .leftJoin('jobs', (join) =>
          join.onRef('jobs.sender_id', '=', 'senders.id').on('jobs.state', 'in', ['queued', 'offered']),
        )
        .select([
          'senders.id as sender_id',
          sql<string>`count(jobs.seq) filter (where jobs.state = 'queued')`.as('queued'),
          sql<string>`count(jobs.seq) filter (where jobs.state = 'offered')`.as('offered'),
          sql<Date | null>`min(jobs.created_at) filter (where jobs.state = 'queued')`.as('oldest'),
        ])
        .groupBy('senders.id')
        .execute();
      let inFlight = 0;
      for (const row of jobs) {
        inFlight += Number(row.offered);
        record('wagate.fleet.queue_depth', Number(row.queued), { sender: row.sender_id });
        record('wagate.fleet.oldest_queued_age_seconds', secondsSince(row.oldest, now), {
          sender: row.sender_id,
        });
      }
      record('wagate.fleet.jobs_in_flight', inFlight);
    },
    (error) => log.warn({ err: error }, 'reading the fleet gauges failed'),
  );
}
