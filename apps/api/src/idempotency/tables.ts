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
  /** When the request handling it last took the key; a retry may take over once the lease lapses. */
  locked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The token of the attempt holding the lease. */
  locked_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** What the request recorded before calling any peer (JSON), for a retry to resume from. */
  recovery_point: ColumnType<unknown, string | null | undefined, string | null>;
  /** False for rows from before leases: they cannot be resumed safely. */
  resumable: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface IdempotencyTables {
  idempotency_keys: IdempotencyKeysTable;
}
