import type { ColumnType } from 'kysely';

/** When a recipient last wrote to a sender of the account: the 24-hour window runs from there. */
export interface ConversationWindowsTable {
  account_id: string;
  sender: string;
  /** Digits only, as outbound recipients are stored. */
  recipient: string;
  last_inbound_at: Date;
}

/** Per-account policy; an account without a row is `off`. */
export interface ConversationWindowPoliciesTable {
  account_id: string;
  mode: 'enforce' | 'off';
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ConversationWindowTables {
  conversation_windows: ConversationWindowsTable;
  conversation_window_policies: ConversationWindowPoliciesTable;
}
