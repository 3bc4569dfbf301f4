import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { OutboxTable } from '@wagate/outbox';

export const BILLING_SCHEMA = 'billing';

/** int8 columns are read as strings (see @wagate/db); writes take strings too. */
type Int8 = ColumnType<string, string | undefined, string>;

export type AccountKind = 'platform' | 'reseller' | 'customer';
export type AccountStatus = 'active' | 'suspended' | 'closed';

export interface AccountsTable {
  id: string;
  name: string;
  parent_id: string | null;
  status: AccountStatus;
  kind: ColumnType<AccountKind, AccountKind | undefined, AccountKind>;
  /** `/root/…/id/`: the ids from the root down to this account. */
  path: ColumnType<string, string | undefined, string>;
  depth: ColumnType<number, number | undefined, number>;
  created_at: Generated<Date>;
  /** ISO 4217 code; every amount of the account is in its minor units. */
  currency: Generated<string>;
  /**
   * The balance as of the last roll-up: the account's balance is this plus its unrolled
   * postings (ledger/ledger.ts `unrolledMinor`).
   */
  balance_minor: Int8;
  /** Funds held by reservations not yet captured or released. */
  held_minor: Int8;
  /** How far the balance may go below zero; NULL means it may not. */
  credit_limit_minor: ColumnType<string | null, string | null | undefined, string | null>;
  /** What this account pays over its parent's price, in basis points. */
  markup_bps: ColumnType<number, number | undefined, number>;
  daily_quota: ColumnType<number | null, number | null | undefined, number | null>;
  monthly_quota: ColumnType<number | null, number | null | undefined, number | null>;
}

export type AccountRow = Selectable<AccountsTable>;

export interface ApiKeysTable {
  id: string;
  account_id: string;
  name: ColumnType<string, string | undefined, string>;
  /** SHA-256 of the key, hex. The key itself is never stored. */
  key_hash: string;
  /** The first characters of the key (`wag_ab12…`), so a person can tell keys apart. */
  prefix: string;
  scopes: string[];
  created_at: Generated<Date>;
  expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  last_used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  revoked_at: Date | null;
}

export type ApiKeyRow = Selectable<ApiKeysTable>;

export interface PricesTable {
  account_id: string;
  /** ISO 3166-1 alpha-2, or '*' for any country. */
  country: string;
  kind: string;
  price_minor: string;
}

export interface LedgerEntriesTable {
  id: Generated<string>;
  transaction_id: string;
  account_id: string;
  /** Signed: negative leaves the account, positive enters it. */
  amount_minor: string;
  kind: string;
  message_id: string | null;
  memo: ColumnType<string, string | undefined, string>;
  created_at: Generated<Date>;
}

/**
 * Credits not yet added into `accounts.balance_minor`: captures write one row per account per
 * batch for the accounts whose rows they do not lock (ancestors without a hold); the roll-up
 * moves them into the row a few times a second.
 */
export interface UnrolledPostingsTable {
  id: Generated<string>;
  account_id: string;
  amount_minor: string;
}

/** One level of the chain a message is charged along, root first. */
export interface ChainLevel {
  accountId: string;
  /** What this account pays for the message (to its parent). */
  priceMinor: string;
  /** What is held on this account until the message is settled. */
  holdMinor: string;
}

export interface ReservationsTable {
  message_id: string;
  account_id: string;
  account_path: ColumnType<string, string | undefined, string>;
  kind: string;
  sender: ColumnType<string, string | undefined, string>;
  country: ColumnType<string, string | undefined, string>;
  price_kind: ColumnType<string, string | undefined, string>;
  /** What the sending account pays. */
  amount_minor: Int8;
  chain: ColumnType<ChainLevel[], string | undefined, string>;
  /** Accounts whose quota counters this message was counted in. */
  quota_accounts: ColumnType<string[], string[] | undefined, string[]>;
  state: 'reserved' | 'captured' | 'released';
  last_status: ColumnType<string, string | undefined, string>;
  created_at: Generated<Date>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type ReservationInsert = Insertable<ReservationsTable>;

export interface QuotaCountersTable {
  account_id: string;
  /** `YYYY-MM-DD` (a UTC day) or `YYYY-MM` (a UTC month). */
  period: string;
  used: ColumnType<number, number | undefined, number>;
}

export interface BillingTables extends OutboxTable {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  prices: PricesTable;
  ledger_entries: LedgerEntriesTable;
  reservations: ReservationsTable;
  quota_counters: QuotaCountersTable;
  unrolled_postings: UnrolledPostingsTable;
}
