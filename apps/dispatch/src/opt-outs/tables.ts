/** A recipient who does not want the account's messages any more. */
export interface OptOutsTable {
  account_id: string;
  /** Digits only, as outbound recipients are stored. */
  recipient: string;
  source: 'inbound' | 'api';
  /** The stop word the recipient wrote; null when added through the api. */
  keyword: string | null;
  created_at: Date;
}

export interface OptOutTables {
  opt_outs: OptOutsTable;
}
