import { createHash, randomBytes } from 'node:crypto';
import { type Database, withSchema } from '@wagate/db';
import { type ColumnType, type Kysely, sql } from 'kysely';
import { API_SCHEMA } from '../idempotency/tables.js';

/** How long a console session lasts from sign-in unless `sessionTtlMs` says otherwise. */
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

interface ConsoleSessionsTable {
  id_hash: string;
  key_hash: string;
  account_id: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  expires_at: Date;
}

export interface SessionTables {
  console_sessions: ConsoleSessionsTable;
}

export interface OpenedSession {
  /** The secret the browser holds in its cookie; only its hash is stored. */
  id: string;
  expiresAt: Date;
}

export interface SessionStore {
  /** A new session for the key whose hash is `keyHash` (already checked by the caller). */
  open(keyHash: string, accountId: string, ttlMs: number): Promise<OpenedSession>;
  /** The key hash and expiry of a live session, or undefined when unknown, expired or ended. */
  find(sessionId: string): Promise<{ keyHash: string; expiresAt: Date } | undefined>;
  /** Ends a session (sign-out); ending an unknown one does nothing. */
  close(sessionId: string): Promise<void>;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Console sessions in the api's schema, so every api replica sees the same ones. Expiry is
 * measured with the database's clock; expired rows are deleted as new sessions open.
 */
export function createSessionStore(database: Database): SessionStore {
  // Resolved on first use, so building the app (e.g. for its OpenAPI document) touches no database.
  let schema: Kysely<SessionTables> | undefined;
  const sessions = () => (schema ??= withSchema<SessionTables>(database, API_SCHEMA));
  return {
    async open(keyHash, accountId, ttlMs) {
      await sessions().deleteFrom('console_sessions').where('expires_at', '<', sql<Date>`now()`).execute();
      const id = randomBytes(32).toString('base64url');
      const row = await sessions()
        .insertInto('console_sessions')
        .values({
          id_hash: hashSecret(id),
          key_hash: keyHash,
          account_id: accountId,
          expires_at: sql<Date>`now() + ${`${ttlMs} milliseconds`}::interval`,
        })
        .returning('expires_at')
        .executeTakeFirstOrThrow();
      return { id, expiresAt: row.expires_at };
    },
    async find(sessionId) {
      const row = await sessions()
        .selectFrom('console_sessions')
        .select(['key_hash', 'expires_at'])
        .where('id_hash', '=', hashSecret(sessionId))
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst();
      return row && { keyHash: row.key_hash, expiresAt: row.expires_at };
    },
    async close(sessionId) {
      await sessions().deleteFrom('console_sessions').where('id_hash', '=', hashSecret(sessionId)).execute();
    },
  };
}
