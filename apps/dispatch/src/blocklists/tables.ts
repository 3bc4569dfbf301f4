import type { ColumnType } from 'kysely';

/** One account's own blocklist; it applies to the account and every account below it. */
export interface BlocklistsTable {
  account_id: string;
  words: ColumnType<string[], string, string>;
  domains: ColumnType<string[], string, string>;
  updated_at: Date;
}

export interface BlocklistTables {
  blocklists: BlocklistsTable;
}
