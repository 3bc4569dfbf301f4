import type { ColumnType, Generated } from 'kysely';

export const BILLING_SCHEMA = 'billing';

export interface AccountsTable {
  id: string;
  name: string;
  parent_id: string | null;
  status: 'active' | 'suspended' | 'closed';
  created_at: Generated<Date>;
  /** ISO 4217 code; every amount of the account is in its minor units. */
  currency: Generated<string>;
  /** int8, read as a string (see @wagate/db). */
  balance_minor: ColumnType<string, string | undefined, string>;
  /** How far the balance may go below zero; NULL means it may not. */
  credit_limit_minor: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  /** SHA-256 of the key, hex. The key itself is never stored. */
  key_hash: string;
  /** The first characters of the key (`wag_ab12…`), so a person can tell keys apart. */
  prefix: string;
  scopes: string[];
  created_at: Generated<Date>;
  revoked_at: Date | null;
}

export interface ReservationsTable {
  message_id: string;
  account_id: string;
  kind: string;
  state: 'reserved' | 'captured' | 'released';
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface BillingTables {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  reservations: ReservationsTable;
}
