import { randomUUID } from 'node:crypto';
import { type Database, migrateSchema, withSchema } from '@wagate/db';
import { sql } from 'kysely';
import { validIdempotencyKey } from './key.js';
import { migrateApiSchema } from '../api-schema.js';
import { API_SCHEMA, type IdempotencyTables } from './tables.js';

/** How long a key is remembered; an older entry is treated as absent. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * How long a request holds its key before a retry may take it over. Longer than a request
 * normally takes; should the first one still be running, both work from the same recovery point
 * (the same message ids), which billing and dispatch accept idempotently.
 */
export const IDEMPOTENCY_LEASE_MS = 10_000;

export type BeginResult =
  /** First use of the key: handle the request, then `complete` (or `abandon` if it failed). */
  | { kind: 'new'; lock: string }
  /**
   * An earlier request with this key and body died or gave up without an answer: handle it again
   * from `recoveryPoint` (what it saved before calling any peer; null if it saved nothing).
   */
  | { kind: 'resume'; lock: string; recoveryPoint: unknown }
  /** Seen and answered before: send this response again and do nothing else. */
  | { kind: 'replay'; status: number; body: string }
  /** The key was first used with a different body: refuse the request. */
  | { kind: 'conflict' }
  /** A request with this key is being handled right now: ask the client to retry later. */
  | { kind: 'in-progress' };

export interface IdempotencyStore {
  /** Claims `key` for the account, or tells how an earlier request with it went. Race-safe. */
  begin(accountId: string, key: string, bodyHash: string): Promise<BeginResult>;
  /**
   * Saves what a retry must resume from (JSON), before the request calls any peer. False if the
   * lease was lost to a retry meanwhile: the request must stop.
   */
  saveRecoveryPoint(accountId: string, key: string, lock: string, point: unknown): Promise<boolean>;
  /** Gives up the lease without an answer: the next retry resumes at once from the recovery point. */
  unlock(accountId: string, key: string, lock: string): Promise<void>;
  /** Records the response of the request that got `new` or `resume`, for later replays. */
  complete(accountId: string, key: string, status: number, body: string): Promise<void>;
  /**
   * Forgets an unfinished claim so the key can be used again: call it when the request failed in a
   * way that is safe to retry (nothing was sent), e.g. a peer was unavailable.
   */
  abandon(accountId: string, key: string, lock: string): Promise<void>;
  /** Deletes entries past the TTL; returns how many. Run it periodically: `begin` already ignores them. */
  purgeExpired(): Promise<number>;
}

/**
 * Brings the `api` schema up to date. Kept apart from `createIdempotencyStore` (which does no
 * I/O) so the api migrates once on start, like every service does with its own schema.
 */
export async function migrateIdempotency(database: Database): Promise<void> {
  await migrateApiSchema(database);
}

/** How many times `begin` tries to claim a key whose entry vanished between its two statements. */
const BEGIN_ATTEMPTS = 3;

/**
 * Idempotency keys per account, in the database so every api replica sees the same claims.
 * Ages are measured with the database's clock, never a replica's.
 *
 * A request holds its key by a lease (Brandur Leach's Stripe-like keys with recovery points): a
 * request whose api died leaves the key locked until `leaseMs` passes, then a retry with the same
 * body takes it over and resumes from the saved recovery point, so it does the same work once
 * more (the same message ids) instead of new work or a 409 for a day.
 */
export function createIdempotencyStore(
  database: Database,
  leaseMs: number = IDEMPOTENCY_LEASE_MS,
): IdempotencyStore {
  const db = withSchema<IdempotencyTables>(database, API_SCHEMA);
  const expiredBefore = sql<Date>`now() - ${`${IDEMPOTENCY_TTL_MS} milliseconds`}::interval`;
  const leaseLapsedBefore = sql<Date>`now() - ${`${leaseMs} milliseconds`}::interval`;

  return {
    async begin(accountId, key, bodyHash) {
      if (!validIdempotencyKey(key)) {
        throw new RangeError('invalid idempotency key; check it with validIdempotencyKey first');
      }
      const lock = randomUUID();
      for (let attempt = 0; attempt < BEGIN_ATTEMPTS; attempt++) {
        // One statement claims a key that is free or whose entry has expired (ON CONFLICT DO
        // NOTHING, except that an expired entry is taken over); a live entry is left alone.
        // Concurrent claims of one key serialise on its row (the conflict check waits for the
        // other transaction and then sees its fresh entry), so exactly one gets a row back.
        const claimed = await db
          .insertInto('idempotency_keys')
          .values({
            account_id: accountId,
            key,
            body_hash: bodyHash,
            state: 'in_progress',
            status_code: null,
            response_body: null,
            completed_at: null,
            locked_at: sql<Date>`now()`,
            locked_by: lock,
          })
          .onConflict((conflict) =>
            conflict
              .columns(['account_id', 'key'])
              .doUpdateSet({
                body_hash: bodyHash,
                state: 'in_progress',
                status_code: null,
                response_body: null,
                created_at: sql<Date>`now()`,
                completed_at: null,
                locked_at: sql<Date>`now()`,
                locked_by: lock,
                recovery_point: null,
                resumable: true,
              })
              .where('idempotency_keys.created_at', '<', expiredBefore),
          )
          .returning('key')
          .executeTakeFirst();
        if (claimed) return { kind: 'new', lock };

        // The same request whose lease lapsed (its api died) or was given up: take it over.
        const resumed = await db
          .updateTable('idempotency_keys')
          .set({ locked_at: sql<Date>`now()`, locked_by: lock })
          .where('account_id', '=', accountId)
          .where('key', '=', key)
          .where('body_hash', '=', bodyHash)
          .where('state', '=', 'in_progress')
          .where('resumable', '=', true)
          .where('created_at', '>=', expiredBefore)
          .where((eb) => eb.or([eb('locked_at', 'is', null), eb('locked_at', '<', leaseLapsedBefore)]))
          .returning('recovery_point')
          .executeTakeFirst();
        if (resumed) return { kind: 'resume', lock, recoveryPoint: resumed.recovery_point ?? null };

        const existing = await db
          .selectFrom('idempotency_keys')
          .select(['body_hash', 'state', 'status_code', 'response_body'])
          .where('account_id', '=', accountId)
          .where('key', '=', key)
          .where('created_at', '>=', expiredBefore)
          .executeTakeFirst();
        // Abandoned (or expired) since the claim failed: the key is free again, claim it.
        if (!existing) continue;
        if (existing.body_hash !== bodyHash) return { kind: 'conflict' };
        if (existing.state === 'in_progress') return { kind: 'in-progress' };
        return { kind: 'replay', status: existing.status_code!, body: existing.response_body! };
      }
      // Other requests keep claiming and abandoning this key: tell this one to come back later.
      return { kind: 'in-progress' };
    },

    async saveRecoveryPoint(accountId, key, lock, point) {
      const saved = await db
        .updateTable('idempotency_keys')
        .set({ recovery_point: JSON.stringify(point), locked_at: sql<Date>`now()` })
        .where('account_id', '=', accountId)
        .where('key', '=', key)
        .where('state', '=', 'in_progress')
        .where('locked_by', '=', lock)
        .executeTakeFirst();
      return Number(saved.numUpdatedRows) === 1;
    },

    async unlock(accountId, key, lock) {
      await db
        .updateTable('idempotency_keys')
        .set({ locked_at: null, locked_by: null })
        .where('account_id', '=', accountId)
        .where('key', '=', key)
        .where('state', '=', 'in_progress')
        .where('locked_by', '=', lock)
        .execute();
    },

    async complete(accountId, key, status, body) {
      await db
        .updateTable('idempotency_keys')
        .set({ state: 'completed', status_code: status, response_body: body, completed_at: new Date() })
        .where('account_id', '=', accountId)
        .where('key', '=', key)
        .where('state', '=', 'in_progress')
        .execute();
    },

    async abandon(accountId, key, lock) {
      await db
        .deleteFrom('idempotency_keys')
        .where('account_id', '=', accountId)
        .where('key', '=', key)
        // Only the attempt holding the key: one that lost it to a retry must not free it under it.
        .where('locked_by', '=', lock)
        // A completed entry must keep answering retries: it is never abandoned.
        .where('state', '=', 'in_progress')
        .execute();
    },

    async purgeExpired() {
      const result = await db
        .deleteFrom('idempotency_keys')
        .where('created_at', '<', expiredBefore)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
