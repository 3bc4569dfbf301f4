import { type Kysely, sql } from 'kysely';
import { FLEET_SCHEMA, type FleetTables } from './db/tables.js';

export interface Assignment {
  jobId: string;
  deviceId: string;
  /** The agent stream the scheduler holds the device on; undefined for a device with no stream (tests). */
  streamId?: string | undefined;
  /** The recipient gets a sticky device and counts against the device's new contacts today. */
  newContact: boolean;
}

export interface Claim {
  /** The jobs claimed (now `offered` to their device). */
  claimed: Set<string>;
  /** Devices whose row names another agent stream: their agent connected elsewhere since. */
  heldElsewhere: Set<string>;
}

/**
 * Marks the assigned jobs offered, in one statement (one round trip, atomic): only jobs still
 * queued (another replica or the validity sweep may have taken one since it was read), and only
 * for devices still held by the stream the scheduler knows them on. The devices' rows are
 * share-locked while it runs, so an agent connecting elsewhere (which rewrites the rows) either
 * waits for this claim and then offers its jobs again, or commits first and this claim skips
 * the device. For new contacts, the recipient sticks to the device and the device's count of new
 * contacts for `day` grows.
 */
export async function offerJobs(
  db: Kysely<FleetTables>,
  assignments: Assignment[],
  day: number,
): Promise<Claim> {
  if (assignments.length === 0) return { claimed: new Set(), heldElsewhere: new Set() };
  const assigned = sql.join(
    assignments.map(
      (a) =>
        sql`(${a.jobId}::text, ${a.deviceId}::text, ${a.streamId ?? null}::text, ${a.newContact}::boolean)`,
    ),
  );
  // Raw SQL is not scoped by `withSchema`: name fleet's schema here.
  const jobs = sql.table(`${FLEET_SCHEMA}.jobs`);
  const devices = sql.table(`${FLEET_SCHEMA}.devices`);
  const contacts = sql.table(`${FLEET_SCHEMA}.contacts`);
  const pacing = sql.table(`${FLEET_SCHEMA}.device_pacing`);
  const result = await sql<{ job_id: string | null; held_elsewhere: string | null }>`
    with assigned (job_id, device_id, stream_id, new_contact) as (values ${assigned}),
    holders as (
      select device.id, device.agent_stream_id from ${devices} as device
      where device.id in (select device_id from assigned)
      -- In the order the connect's upsert locks them (registerDevices), so the two never deadlock.
      order by device.agent_id collate "C", device.device_key collate "C"
      for share
    ),
    owned as (
      select assigned.* from assigned left join holders on holders.id = assigned.device_id
      where holders.id is null or holders.agent_stream_id is not distinct from assigned.stream_id
    ),
    offered as (
      update ${jobs} as job
      set state = 'offered', device_id = owned.device_id, updated_at = now()
      from owned
      where job.job_id = owned.job_id and job.state = 'queued'
      returning job.job_id, job.sender_id, job.recipient, owned.device_id, owned.new_contact
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
    select job_id, null as held_elsewhere from offered
    union all
    select distinct null, holders.id from holders join assigned on assigned.device_id = holders.id
    where holders.agent_stream_id is distinct from assigned.stream_id`.execute(db);
  const claim: Claim = { claimed: new Set(), heldElsewhere: new Set() };
  for (const row of result.rows) {
    if (row.job_id !== null) claim.claimed.add(row.job_id);
    if (row.held_elsewhere !== null) claim.heldElsewhere.add(row.held_elsewhere);
  }
  return claim;
}
