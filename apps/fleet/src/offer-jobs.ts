import { type Kysely, sql } from 'kysely';
import { FLEET_SCHEMA, type FleetTables } from './db/tables.js';

export interface Assignment {
  jobId: string;
  deviceId: string;
  /** The recipient gets a sticky device and counts against the device's new contacts today. */
  newContact: boolean;
}

/**
 * Marks the assigned jobs offered, in one statement (one round trip, atomic): only jobs still
 * queued (another replica or the validity sweep may have taken one since it was read); for
 * those to new contacts, the recipient sticks to the device and the device's count of new
 * contacts for `day` grows. Returns the ids of the jobs it claimed.
 */
export async function offerJobs(
  db: Kysely<FleetTables>,
  assignments: Assignment[],
  day: number,
): Promise<Set<string>> {
  if (assignments.length === 0) return new Set();
  const assigned = sql.join(
    assignments.map((a) => sql`(${a.jobId}::text, ${a.deviceId}::text, ${a.newContact}::boolean)`),
  );
  // Raw SQL is not scoped by `withSchema`: name fleet's schema here.
  const jobs = sql.table(`${FLEET_SCHEMA}.jobs`);
  const contacts = sql.table(`${FLEET_SCHEMA}.contacts`);
  const pacing = sql.table(`${FLEET_SCHEMA}.device_pacing`);
  const result = await sql<{ job_id: string }>`
    with assigned (job_id, device_id, new_contact) as (values ${assigned}),
    offered as (
      update ${jobs} as job
      set state = 'offered', device_id = assigned.device_id, updated_at = now()
      from assigned
      where job.job_id = assigned.job_id and job.state = 'queued'
      returning job.job_id, job.sender_id, job.recipient, assigned.device_id, assigned.new_contact
    ),
    sticky as (
      insert into ${contacts} (sender_id, recipient, device_id)
      select sender_id, recipient, device_id from offered where new_contact
      on conflict (sender_id, recipient) do nothing
    ),
    counted as (
      insert into ${pacing} as pace (device_id, first_seen_day, day, new_contacts)
      select device_id, ${day}::integer, ${day}::integer, count(*) from offered where new_contact
      group by device_id
      on conflict (device_id) do update set
        new_contacts = case when pace.day = excluded.day
          then pace.new_contacts + excluded.new_contacts else excluded.new_contacts end,
        day = excluded.day
    )
    select job_id from offered`.execute(db);
  return new Set(result.rows.map((row) => row.job_id));
}
