import type { ColumnType } from 'kysely';

/** The api's own schema; today it holds only idempotency keys. */
export const API_SCHEMA = 'api';

export interface IdempotencyKeysTable {
  account_id: string;
  /** The client's Idempotency-Key header, as sent. */
  key: string;
  /** SHA-256 (hex) of the raw request body the key was first used with. */
  body_hash: string;
  state: 'in_progress' | 'completed';
  /** Set once completed: the response to replay. */
  status_code: number | null;
  response_body: string | null;
  created_at: ColumnType<Date, Date | undefined, Date>;
  completed_at: Date | null;
}

export interface IdempotencyTables {
  idempotency_keys: IdempotencyKeysTable;
}
