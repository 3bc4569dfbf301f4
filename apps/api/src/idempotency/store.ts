import { type Database, withSchema } from '@wagate/db';
import { sql } from 'kysely';
import { validIdempotencyKey } from './key.js';
import { migrateApiSchema } from '../api-schema.js';
import { API_SCHEMA, type IdempotencyTables } from './tables.js';

/** How long a key is remembered; an older entry is treated as absent. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type BeginResult =
  /** First use of the key: handle the request, then `complete` (or `abandon` if it failed). */
  | { kind: 'new' }
  /** Seen and answered before: send this response again and do nothing else. */
  | { kind: 'replay'; status: number; body: string }
  /** The key was first used with a different body: refuse the request. */
  | { kind: 'conflict' }
  /** A request with this key is being handled right now: ask the client to retry later. */
  | { kind: 'in-progress' };

export interface IdempotencyStore {
  /** Claims `key` for the account, or tells how an earlier request with it went. Race-safe. */
  begin(accountId: string, key: string, bodyHash: string): Promise<BeginResult>;
  /** Records the response of the request that got `new`, for later replays. */
  complete(accountId: string, key: string, status: number, body: string): Promise<void>;
  /**
   * Forgets an unfinished claim so the key can be used again: call it when the request failed in a
   * way that is safe to retry (nothing was sent), e.g. a peer was unavailable.
   */
  abandon(accountId: string, key: string): Promise<void>;
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
 * A request that dies between `begin` and `complete`/`abandon` (a crash) leaves its key in
 * progress until the TTL passes: whether its messages went out is unknown, so replaying or
 * re-running it could both be wrong.
 */
export function createIdempotencyStore(database: Database): IdempotencyStore {
  const db = withSchema<IdempotencyTables>(database, API_SCHEMA);
  const expiredBefore = sql<Date>`now() - ${`${IDEMPOTENCY_TTL_MS} milliseconds`}::interval`;

  return {
    async begin(accountId, key, bodyHash) {
      if (!validIdempotencyKey(key)) {
        throw new RangeError('invalid idempotency key; check it with validIdempotencyKey first');
      }
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
              })
              .where('idempotency_keys.created_at', '<', expiredBefore),
          )
          .returning('key')
          .executeTakeFirst();
        if (claimed) return { kind: 'new' };

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

    async complete(accountId, key, status, body) {
      await db
        .updateTable('idempotency_keys')
        .set({ state: 'completed', status_code: status, response_body: body, completed_at: new Date() })
        .where('account_id', '=', accountId)
        .where('key', '=', key)
        .where('state', '=', 'in_progress')
        .execute();
    },

    async abandon(accountId, key) {
      await db
        .deleteFrom('idempotency_keys')
        .where('account_id', '=', accountId)
        .where('key', '=', key)
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
